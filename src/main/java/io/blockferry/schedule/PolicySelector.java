package io.blockferry.schedule;

import io.blockferry.schedule.ServerDirectory.Disk;
import io.blockferry.schedule.ServerDirectory.ServerDisks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.blockferry.source.VolumeId;
import java.util.function.BiFunction;

/**
 * Turns a policy's selection into the disks to sync. A disk selected by two policies belongs to
 * the first of them in the policy file; the other reports a conflict and leaves it alone, so
 * nothing is synced twice.
 */
public final class PolicySelector {

    /** A disk to sync; {@code serverId} and {@code device} are null for a volume selected by pattern. */
    public record Target(String volumeId, String host, String serverId, String device) {
    }

    /** @param subject the disk's server, or the volume, that several policies select */
    public record Conflict(String subject, String owner, List<String> others) {
    }

    /** @param problems selections that could not be resolved, such as a missing pool */
    public record Selected(List<Target> targets, List<Conflict> conflicts, List<String> problems) {
    }

    private final ServerDirectory servers;
    private final BiFunction<String, String, List<VolumeId>> volumesOfPool;

    /** @param volumesOfPool the volumes of a backend's pool: (backend, pool) to their ids */
    public PolicySelector(ServerDirectory servers, BiFunction<String, String, List<VolumeId>> volumesOfPool) {
        this.servers = servers;
        this.volumesOfPool = volumesOfPool;
    }

    public Selected select(Policy policy, List<Policy> all) {
        Map<String, List<VolumeId>> images = new HashMap<>();
        List<String> problems = new ArrayList<>();
        List<ServerDisks> directory = servers.servers();
        Map<String, Map<String, Target>> byPolicy = new LinkedHashMap<>();
        for (Policy p : all) {
            byPolicy.put(p.name(), candidates(p, directory, images, p == policy ? problems : new ArrayList<>()));
        }
        List<Conflict> conflicts = new ArrayList<>();
        List<Target> targets = new ArrayList<>();
        for (Target t : byPolicy.getOrDefault(policy.name(), Map.of()).values()) {
            List<String> selecting = byPolicy.entrySet().stream().filter(e -> e.getValue().containsKey(t.volumeId()))
                    .map(Map.Entry::getKey).toList();
            String owner = selecting.get(0);
            if (selecting.size() > 1) {
                conflicts.add(new Conflict(subject(t, directory), owner, selecting.subList(1, selecting.size())));
            }
            if (owner.equals(policy.name())) {
                targets.add(t);
            }
        }
        return new Selected(targets, List.copyOf(conflicts), problems);
    }

    private Map<String, Target> candidates(Policy p, List<ServerDisks> directory, Map<String, List<VolumeId>> images,
                                           List<String> problems) {
        Map<String, Target> out = new LinkedHashMap<>();
        Selection s = p.selection();
        for (Selection.VolumePattern pool : s.volumePatterns().stream()
                .collect(java.util.stream.Collectors.toMap(Selection.VolumePattern::poolKey, v -> v, (a, b) -> a,
                        LinkedHashMap::new)).values()) {
            for (VolumeId volume : images(pool, images, problems)) {
                String volumeId = volume.toString();
                if (s.matchesVolume(volume) && !p.excludes(volumeId, volume.name())) {
                    out.put(volumeId, new Target(volumeId, volumeId, null, null));
                }
            }
        }
        for (ServerDisks server : directory) {
            if (s.matchesServer(server.name(), server.tags(), server.projectKeys(), server.domainKeys())) {
                for (Disk d : server.disks()) {
                    if (!p.excludes(d.device(), d.volumeId(), d.imageSpec())) {
                        out.put(d.imageSpec(), new Target(d.imageSpec(), server.id(), server.id(), d.device()));
                    }
                }
            }
        }
        return out;
    }

    private List<VolumeId> images(Selection.VolumePattern pool, Map<String, List<VolumeId>> cache,
                                  List<String> problems) {
        List<VolumeId> found = cache.get(pool.poolKey());
        if (found == null) {
            try {
                found = volumesOfPool.apply(pool.scheme(), pool.pool());
            } catch (RuntimeException e) {
                problems.add(e.getMessage());
                found = List.of();
            }
            cache.put(pool.poolKey(), found);
        }
        return found;
    }

    private static String subject(Target t, List<ServerDisks> directory) {
        if (t.serverId() == null) {
            return "volume " + t.volumeId();
        }
        return directory.stream().filter(s -> s.id().equals(t.serverId())).findFirst()
                .map(s -> "server " + s.name() + " (" + s.id() + ")").orElse("server " + t.serverId());
    }
}
