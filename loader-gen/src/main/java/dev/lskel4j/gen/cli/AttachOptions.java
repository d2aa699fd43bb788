package dev.lskel4j.gen.cli;

import dev.lskel4j.runtime.AttachTargets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code lskel run}'s targets for programs whose section cannot name one: an interface (xdp, tcx),
 * a cgroup (cgroup kinds), a network namespace (sk_lookup, flow_dissector).
 */
final class AttachOptions {
    /** A Linux interface name: 1..15 bytes (IFNAMSIZ - 1), no '/' or white space, not "." or "..". */
    private static final Pattern IFNAME = Pattern.compile("(?!\\.\\.?$)[^/\\s]{1,15}");

    @Option(names = "--interface", paramLabel = "NAME", description = "Network interface xdp programs and tc/tcx "
            + "programs with a direction (tc/ingress, tcx/egress) attach to, e.g. eth0.")
    String iface;

    @Option(names = "--ifindex", paramLabel = "N", description = "The same by interface index.")
    Integer ifindex;

    @Option(names = "--cgroup", paramLabel = "DIR", description = "Cgroup v2 directory the cgroup programs "
            + "(cgroup_skb/*, cgroup/sock*, cgroup/connect*, sockops, ...) attach to, e.g. /sys/fs/cgroup/app.")
    Path cgroup;

    @Option(names = "--netns", paramLabel = "FILE", description = "Network namespace sk_lookup and flow_dissector "
            + "programs attach to, e.g. /proc/self/ns/net or /run/netns/NAME.")
    Path netns;

    /** {@return the targets given; {@link AttachTargets#NONE} without options} */
    AttachTargets targets() throws CliException {
        AttachTargets t = AttachTargets.NONE;
        if (iface != null && ifindex != null) {
            throw new CliException(Lskel.USAGE, "--interface and --ifindex name the same thing: give one");
        }
        if (iface != null) t = t.withInterface(interfaceIndex(iface));
        if (ifindex != null) {
            if (ifindex <= 0) throw new CliException(Lskel.USAGE, "--ifindex " + ifindex + " is not an interface index (1 or more)");
            t = t.withInterface(ifindex);
        }
        if (cgroup != null) {
            if (!Files.isDirectory(cgroup)) throw new CliException(Lskel.USAGE, "--cgroup " + cgroup + " is not a directory");
            t = t.withCgroup(cgroup);
        }
        if (netns != null) {
            if (!Files.exists(netns)) throw new CliException(Lskel.USAGE, "--netns " + netns + " does not exist");
            t = t.withNetns(netns);
        }
        return t;
    }

    /** The index of interface {@code name}, from {@code /sys/class/net/NAME/ifindex}. */
    private static int interfaceIndex(String name) throws CliException {
        if (!IFNAME.matcher(name).matches()) {
            throw new CliException(Lskel.USAGE, "--interface '" + name + "' is not an interface name");
        }
        Path file = Path.of("/sys/class/net", name, "ifindex");
        try {
            return Integer.parseInt(Files.readString(file).strip());
        } catch (IOException e) {
            throw new CliException(Lskel.USAGE, "--interface " + name + ": no such network interface (" + file
                    + " cannot be read: " + GenerationOptions.describe(e) + ")", e);
        } catch (NumberFormatException e) {
            throw new CliException(Lskel.USAGE, "--interface " + name + ": " + file + " holds no number", e);
        }
    }
}
