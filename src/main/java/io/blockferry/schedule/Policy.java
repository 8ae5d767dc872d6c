package io.blockferry.schedule;

import io.blockferry.source.Hook;
import io.blockferry.source.SyncOptions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.quartz.CronExpression;

/**
 * A protection policy from the policy file: when it runs, what it covers, and how.
 *
 * @param fullEvery      every Nth run of the policy is a full sync; 0 means never forced, 1 always full
 * @param keepSnapshots  Blockferry snapshots kept on the source per volume (at least 1: the base)
 * @param keepPoints     recovery points kept on the target per volume; 0 leaves it to the target's default
 * @param priority       higher runs first when tasks wait for a slot
 * @param bandwidthLimit bytes per second for this policy's reads; 0 means only the proxy's cap applies
 * @param rpo            the recovery-point objective: the newest acked point of each of its volumes should
 *                       be younger than this; null when the policy sets none
 */
public record Policy(String name, String schedule, Selection selection, List<String> excludeDisks, int fullEvery,
                     int keepSnapshots, int keepPoints, int priority, long bandwidthLimit, Hook preSnapshot,
                     Hook postSnapshot, Duration rpo) {

    public Policy {
        excludeDisks = List.copyOf(excludeDisks);
    }

    /** What this policy asks of each of its syncs. */
    public SyncOptions options() {
        return new SyncOptions(name, keepSnapshots, keepPoints, bandwidthLimit, preSnapshot, postSnapshot);
    }

    /** The first time the schedule fires after {@code instant}, or null if it never fires again. */
    public Instant nextFireAfter(Instant instant) {
        try {
            Date next = new CronExpression(schedule).getNextValidTimeAfter(Date.from(instant));
            return next == null ? null : next.toInstant();
        } catch (ParseException e) {
            throw new IllegalStateException("policy " + name + " has a schedule the policy file check let through: "
                    + schedule, e);
        }
    }

    /** Whether run number {@code run} (from 1) of this policy is a full sync. */
    public boolean fullOnRun(long run) {
        return fullEvery > 0 && run % fullEvery == 0;
    }

    /** Whether a disk, named by its pool/image, device or volume id, is excluded. */
    public boolean excludes(String... names) {
        for (String n : names) {
            if (n != null && excludeDisks.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
