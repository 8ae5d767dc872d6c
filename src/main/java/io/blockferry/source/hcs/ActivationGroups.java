package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consistent multi-disk points (spec §2.5, §3 step 2): when HCS leaves its array snapshots
 * unactivated, the snapshots of one server's disks are activated together, in one
 * {@code snapshot/activate} call with all of them in SNAPSHOTLIST, so every disk is cut at the same
 * instant. A disk's sync waits here until the server's other attached disks have their snapshots
 * too, or until the window ends (a disk excluded by its policy, or one still waiting in the queue,
 * never holds the others longer than that); then one call activates what has gathered.
 */
final class ActivationGroups {

    private static final Logger LOG = LoggerFactory.getLogger(ActivationGroups.class);

    /** The snapshots of one server waiting to be activated together. */
    private static final class Group {
        final Set<String> disks;
        final Map<String, String> snapshots = new LinkedHashMap<>(); // disk id to array snapshot id
        final CompletableFuture<List<String>> activated = new CompletableFuture<>();
        final long deadlineNanos;

        Group(Set<String> disks, long deadlineNanos) {
            this.disks = disks;
            this.deadlineNanos = deadlineNanos;
        }
    }

    private final DoradoSession dorado;
    private final Duration window;
    private final Map<String, Group> open = new HashMap<>();

    ActivationGroups(DoradoSession dorado, Duration window) {
        this.dorado = dorado;
        this.window = window;
    }

    /**
     * Activates a disk's array snapshot together with those of the server's other disks.
     *
     * @param serverId    the server the disk is attached to, or null for a disk of no server
     * @param serverDisks the disks attached to that server
     * @return the array snapshot ids activated in the same call, this one included
     * @throws HcsException when the array refused the activation (every member's sync fails)
     */
    List<String> activate(String serverId, Set<String> serverDisks, String diskId, String arraySnapshot, String what) {
        if (serverId == null || serverDisks.size() <= 1 || window.isZero()) {
            post(List.of(arraySnapshot), what);
            return List.of(arraySnapshot);
        }
        Group group;
        boolean complete;
        synchronized (this) {
            group = open.get(serverId);
            if (group == null || !group.disks.equals(serverDisks)) {
                group = new Group(Set.copyOf(serverDisks), System.nanoTime() + window.toNanos());
                open.put(serverId, group);
            }
            group.snapshots.put(diskId, arraySnapshot);
            complete = group.snapshots.keySet().containsAll(group.disks);
            if (complete) {
                open.remove(serverId);
            }
        }
        if (complete) {
            return lead(group, serverId, what);
        }
        try {
            long left = group.deadlineNanos - System.nanoTime();
            return group.activated.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            boolean closedByAnother;
            synchronized (this) {
                closedByAnother = open.get(serverId) != group;
                if (!closedByAnother) {
                    open.remove(serverId);
                }
            }
            if (closedByAnother) {
                // another member closed it meanwhile: its call covers this disk (waited for outside the lock)
                return awaited(group, what);
            }
            LOG.warn("Server {}: {} of its {} disks had snapshots within {} s; they are activated together, the "
                    + "others alone when they come (a disk excluded by its policy, or still waiting in the queue)",
                    serverId, group.snapshots.size(), group.disks.size(), window.toSeconds());
            return lead(group, serverId, what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HcsException("interrupted while waiting to activate " + what + " with the other disks of server "
                    + serverId, io.blockferry.events.Causes.HCS_ERROR);
        } catch (ExecutionException e) {
            throw rethrown(e);
        }
    }

    private List<String> lead(Group group, String serverId, String what) {
        List<String> ids;
        synchronized (this) {
            ids = new ArrayList<>(group.snapshots.values());
        }
        try {
            post(ids, what + " with the other disks of server " + serverId);
            group.activated.complete(List.copyOf(ids));
            return List.copyOf(ids);
        } catch (RuntimeException e) {
            group.activated.completeExceptionally(e);
            throw e;
        }
    }

    private static List<String> awaited(Group group, String what) {
        try {
            return group.activated.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HcsException("interrupted while waiting to activate " + what, io.blockferry.events.Causes.HCS_ERROR);
        } catch (ExecutionException e) {
            throw rethrown(e);
        }
    }

    private static RuntimeException rethrown(ExecutionException e) {
        return e.getCause() instanceof RuntimeException r ? r
                : new HcsException("the activation failed: " + e.getCause(), io.blockferry.events.Causes.HCS_ERROR);
    }

    private void post(List<String> arraySnapshots, String what) {
        ObjectNode body = HcsHttp.JSON.createObjectNode();
        arraySnapshots.forEach(body.putArray("SNAPSHOTLIST")::add);
        dorado.post("snapshot/activate", body, "activating the array snapshot of " + what);
    }
}
