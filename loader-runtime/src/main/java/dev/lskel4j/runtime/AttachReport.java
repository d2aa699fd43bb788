package dev.lskel4j.runtime;

import java.util.List;

/**
 * What {@link LightSkeleton#attach()} did with every program, in program order: no program is
 * skipped without a {@link AttachResult} saying why.
 *
 * @param results one per entry program
 */
public record AttachReport(List<AttachResult> results) {
    public AttachReport {
        results = List.copyOf(results);
    }

    /** {@return how many programs are attached} */
    public int attachedCount() {
        return (int) results.stream().filter(AttachResult::attached).count();
    }

    /** {@return the programs not attached, with why} */
    public List<AttachResult> unattached() {
        return results.stream().filter(r -> !r.attached()).toList();
    }

    /** {@return {@code "attached K of N programs"}} */
    public String summary() {
        return "attached " + attachedCount() + " of " + results.size() + (results.size() == 1 ? " program" : " programs");
    }

    /** {@return the summary, then one line per program not attached} */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(summary());
        for (AttachResult r : unattached()) b.append("\n  ").append(r);
        return b.toString();
    }
}
