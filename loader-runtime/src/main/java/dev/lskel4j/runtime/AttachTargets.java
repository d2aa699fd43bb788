package dev.lskel4j.runtime;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Targets for the programs whose sections cannot name one, given to
 * {@link LightSkeleton#attach(AttachTargets)}: a network interface for xdp and for tc/tcx programs
 * whose section names the direction ({@code tc/ingress}, {@code tcx/egress}), a cgroup v2 directory
 * for the cgroup kinds (cgroup_skb, cgroup/sock*, cgroup/connect*, sockops, ...), a network
 * namespace for sk_lookup and flow_dissector. Programs of other kinds, and of these kinds when the
 * target is not given, are reported as needing it, as by {@link LightSkeleton#attach()}.
 *
 * <pre>{@code
 * skel.attach(AttachTargets.NONE.withInterface(ifindex).withCgroup(Path.of("/sys/fs/cgroup/app")));
 * }</pre>
 *
 * @param ifindex the interface xdp and tcx programs attach to (xdp in the kernel's choice of mode)
 * @param cgroup the cgroup v2 directory cgroup programs attach to
 * @param netns the network namespace file ({@code /proc/self/ns/net}, {@code /run/netns/NAME})
 *     sk_lookup and flow_dissector programs attach to
 */
public record AttachTargets(OptionalInt ifindex, Optional<Path> cgroup, Optional<Path> netns) {
    /** No targets: {@link LightSkeleton#attach(AttachTargets)} then does what {@link LightSkeleton#attach()} does. */
    public static final AttachTargets NONE = new AttachTargets(OptionalInt.empty(), Optional.empty(), Optional.empty());

    /**
     * @throws IllegalArgumentException if {@code ifindex} is present and not positive
     */
    public AttachTargets {
        Objects.requireNonNull(ifindex, "ifindex");
        Objects.requireNonNull(cgroup, "cgroup");
        Objects.requireNonNull(netns, "netns");
        if (ifindex.isPresent() && ifindex.getAsInt() <= 0) {
            throw new IllegalArgumentException("ifindex " + ifindex.getAsInt() + " is not a network interface index (1 or more)");
        }
    }

    /** {@return these targets with interface {@code ifindex} for xdp and tcx programs} */
    public AttachTargets withInterface(int ifindex) {
        return new AttachTargets(OptionalInt.of(ifindex), cgroup, netns);
    }

    /** {@return these targets with cgroup v2 directory {@code directory} for cgroup programs} */
    public AttachTargets withCgroup(Path directory) {
        return new AttachTargets(ifindex, Optional.of(directory), netns);
    }

    /** {@return these targets with network namespace file {@code file} for sk_lookup and flow_dissector programs} */
    public AttachTargets withNetns(Path file) {
        return new AttachTargets(ifindex, cgroup, Optional.of(file));
    }

    /** {@return true if these targets hold what {@code p}'s attachment needs} */
    boolean supply(BpfProgram p) {
        return switch (p.attachKind()) {
            case XDP -> ifindex.isPresent();
            case TCX -> ifindex.isPresent() && p.expectedAttachType() != 0; // a bare tc also needs a direction
            case CGROUP -> cgroup.isPresent();
            case NETNS -> netns.isPresent();
            default -> false;
        };
    }

    /** Attaches {@code p} to its target here; only for a program these targets {@link #supply}. */
    void attach(BpfProgram p) throws KernelException {
        switch (p.attachKind()) {
            case XDP -> p.attachXdp(ifindex.getAsInt(), 0);
            case TCX -> p.attachTcx(ifindex.getAsInt());
            case CGROUP -> p.attachCgroup(cgroup.orElseThrow());
            case NETNS -> p.attachNetns(netns.orElseThrow());
            default -> throw new AssertionError("no target for " + p.attachKind());
        }
    }
}
