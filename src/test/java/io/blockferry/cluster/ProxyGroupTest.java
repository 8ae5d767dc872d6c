package io.blockferry.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.demo.Checksums;
import io.blockferry.testing.Await;
import io.blockferry.testing.BlockferryProcess;
import io.blockferry.testing.KafkaCluster;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three proxies of one site (blockferry.source.work-sharing=kafka, separate JVMs with their own
 * data directories) and three writers sharing one repository (blockferry.target.work-sharing=kafka)
 * on the three-broker KRaft cluster, twelve volumes. Every volume is synced twice, bit-identical,
 * each generation begun by exactly one proxy and committed by exactly one writer (their logs say
 * which); a proxy and a writer (the one serving the shared catalog) killed -9 in the middle of a
 * generation have their volumes taken over by the others, which continue the chains incrementally
 * from the state topic and the shared catalog: no full resync, the final state bit-identical.
 */
@Tag("cluster")
class ProxyGroupTest {

    private static final int MiB = 1 << 20;
    private static final int VOLUMES = 12;
    private static final Pattern SYNC_LINE = Pattern.compile(
            "Volume (\\S+) generation (\\d+): (full|incremental|checksum) sync");
    private static final Pattern COMMIT_LINE = Pattern.compile("Volume (\\S+) generation (\\d+) committed:");
    private static final Duration LONG = Duration.ofMinutes(4);

    /** The settings of one test's site on its own topics of the three-broker cluster. */
    private record Site(String prefix, Path dir, Map<String, String> proxy, Map<String, String> target,
                        Map<String, String> alone) {

        static Site create() {
            KafkaCluster.ensureStarted();
            String prefix = "pg-" + UUID.randomUUID().toString().substring(0, 8);
            // kept after the test: the processes' logs say who synced what
            Path dir = Path.of("target", "it-proxy-group", prefix).toAbsolutePath();
            Map<String, String> common = new HashMap<>();
            for (String topic : List.of("chunk", "ack", "event", "dead-letter", "request", "metadata", "sums", "task",
                    "source-state")) {
                common.put("blockferry.kafka." + topic + "-topic", prefix + "." + topic);
            }
            common.put("blockferry.kafka.target-group", prefix + "-target");
            common.put("blockferry.kafka.metadata-group", prefix + "-metadata");
            common.put("blockferry.kafka.partitions", "6");
            Map<String, String> alone = new HashMap<>(common);
            alone.put("blockferry.roles", "source");
            Map<String, String> proxy = new HashMap<>(alone);
            proxy.put("blockferry.site", prefix + "-site");
            proxy.put("blockferry.source.work-sharing", "kafka");
            // slow enough that a proxy dies in the middle of a generation
            proxy.put("blockferry.source.bandwidth-limit", "4M");
            Map<String, String> target = new HashMap<>(common);
            target.put("blockferry.roles", "target");
            target.put("blockferry.site", prefix + "-dr");
            target.put("blockferry.target.repository-dir", dir.resolve("repository").toString());
            return new Site(prefix, dir, proxy, target, alone);
        }

        BlockferryProcess startTarget() {
            return BlockferryProcess.start(dir.resolve("target"), KafkaCluster.bootstrapServers(), target, null, "384m");
        }

        /** One of the site's writers sharing the repository (each with its own data directory and API). */
        BlockferryProcess startWriter(String name) {
            Map<String, String> shared = new HashMap<>(target);
            shared.put("blockferry.target.work-sharing", "kafka");
            return BlockferryProcess.start(dir.resolve(name), KafkaCluster.bootstrapServers(), shared, null, "384m");
        }

        BlockferryProcess startProxy(String name) {
            return BlockferryProcess.start(dir.resolve(name), KafkaCluster.bootstrapServers(), proxy, null, "256m");
        }
    }

    @Test
    void should_share_volumes_among_proxies_and_writers_and_take_over_dead_ones() throws Exception {
        Site site = Site.create();
        String prefix = site.prefix();
        Path dir = site.dir();
        List<TestImage> images = new ArrayList<>();
        List<BlockferryProcess> proxies = new ArrayList<>();
        List<BlockferryProcess> writers = new ArrayList<>();
        List<TestImage> elsewhere = new ArrayList<>();
        // another source site on the same Kafka and topics, with the default configuration: a proxy
        // alone, its site its installation id
        try (BlockferryProcess other = BlockferryProcess.start(dir.resolve("other-site"),
                KafkaCluster.bootstrapServers(), site.alone(), null, "256m")) {
            for (int i = 0; i < 3; i++) {
                writers.add(site.startWriter("writer-" + i));
            }
            BlockferryProcess writer = writers.get(1);
            for (int i = 0; i < 2; i++) {
                TestImage image = new TestImage("volumes", prefix + "-other" + i, 8L * MiB, 300 + i);
                elsewhere.add(image);
                image.writeRandom(0, 2 * MiB);
                other.requestSync(image.volumeId(), "full", LONG);
            }
            for (int i = 0; i < VOLUMES; i++) {
                TestImage image = new TestImage("volumes", prefix + "-v" + i, 8L * MiB, 100 + i);
                images.add(image);
                image.writeRandom(0, 3 * MiB);
            }
            for (int i = 0; i < 3; i++) {
                proxies.add(site.startProxy("proxy-" + i));
            }
            // any proxy takes a request; the volume's owner runs it
            for (TestImage image : images) {
                proxies.get(0).requestSync(image.volumeId(), "full", LONG);
            }
            awaitCommitted(writer, proxies, images, 1);
            for (TestImage image : images) {
                image.writeRandom(4L * MiB, MiB);
                proxies.get(1).requestSync(image.volumeId(), "incremental", LONG);
            }
            awaitCommitted(writer, proxies, images, 2);
            assertBitIdentical(dir, writer, images);
            Map<String, Set<Integer>> byProxy = syncedBy(proxies, SYNC_LINE);
            assertTrue(byProxy.values().stream().allMatch(s -> s.size() == 1),
                    "each generation was made by one proxy: " + byProxy);
            assertTrue(spread(byProxy).size() >= 2, "the volumes were shared among the proxies: " + byProxy);
            Map<String, Set<Integer>> byWriter = syncedBy(writers, COMMIT_LINE);
            assertTrue(byWriter.values().stream().allMatch(s -> s.size() == 1),
                    "each generation was committed by one writer: " + byWriter);
            assertTrue(spread(byWriter).size() >= 2, "the volumes were shared among the writers: " + byWriter);

            // generation 3 of every volume; one proxy and one writer die while a proxy streams one of its
            // volumes. The writer is the first one started, which serves the shared catalog to the others.
            for (TestImage image : images) {
                image.writeRandom(0, 3 * MiB);
                proxies.get(2).requestSync(image.volumeId(), "incremental", LONG);
            }
            String[] streaming = Await.until(() -> streamingNow(proxies), v -> v != null, LONG,
                    "a proxy streaming a third generation");
            int victim = Integer.parseInt(streaming[0]);
            String cut = streaming[1];
            long cutGeneration = Long.parseLong(streaming[2]);
            List<Integer> logged = writers.stream().map(w -> w.log().length()).toList();
            proxies.get(victim).kill();
            writers.get(0).kill();
            long killed = System.nanoTime();
            // the dead writer's partitions go to the survivors, which take its volumes from the shared catalog
            Await.until(() -> partitionsTakenSince(writers.subList(1, 3), logged.subList(1, 3)), p -> p.size() == 6,
                    LONG, "the surviving writers given every chunk partition");
            System.out.printf("ProxyGroupTest: writer 0 killed -9; the survivors held every chunk partition %.1f s "
                    + "later%n", (System.nanoTime() - killed) / 1e9);
            List<String> victims = new ArrayList<>();
            syncedBy(proxies, SYNC_LINE).forEach((gen, who) -> {
                if (who.contains(victim) && Long.parseLong(gen.substring(gen.lastIndexOf('@') + 1)) >= 3) {
                    victims.add(gen.substring(0, gen.lastIndexOf('@')));
                }
            });
            // the volume killed in the middle of its generation is another proxy's now, with the chain the
            // dead one wrote: the interrupted generation was finished (acked) or redone from its base
            List<BlockferryProcess> survivors = new ArrayList<>(proxies);
            survivors.remove(victim);
            Await.until(() -> survivors.stream().map(p -> p.volume(cut)).filter(v -> v.has("baseGeneration"))
                            .findFirst().orElse(null), v -> v != null && v.path("baseGeneration").asLong() >= cutGeneration
                            && v.path("pendingGeneration").isNull(), LONG,
                    cut + " settled at generation " + cutGeneration + " or later on another proxy");
            System.out.printf("ProxyGroupTest: proxy %d and writer 0 killed -9 while %s generation %d streamed; "
                    + "another proxy had it settled %.1f s later%n", victim, cut, cutGeneration,
                    (System.nanoTime() - killed) / 1e9);
            awaitCommitted(writer, proxies, images, 3);
            assertBitIdentical(dir, writer, images);
            for (TestImage image : images) {
                JsonNode points = writer.points(image.volumeId());
                for (int i = 1; i < points.size(); i++) {
                    assertEquals("INCREMENTAL", points.get(i).path("mode").asText(), "no full resync of "
                            + image.volumeId() + " after the deaths: " + points);
                }
                List<Long> generations = BlockferryProcess.generations(points);
                assertEquals(generations.size(), new TreeSet<>(generations).size(), "no generation twice: " + points);
            }
            for (String volume : new TreeSet<>(victims)) {
                // the dead proxy's volumes: their state is a survivor's now, at the target's newest point
                long newest = BlockferryProcess.generations(writer.points(volume)).stream().mapToLong(g -> g).max()
                        .orElseThrow();
                assertTrue(survivors.stream().anyMatch(p -> p.volume(volume).path("baseGeneration").asLong()
                        == newest), volume + " (the dead proxy's) is held by a survivor at generation " + newest);
            }
            assertTrue(syncedBy(proxies, SYNC_LINE).values().stream().allMatch(s -> s.size() == 1),
                    "still one proxy per generation: " + syncedBy(proxies, SYNC_LINE));
            Map<String, Set<Integer>> committedBy = syncedBy(writers, COMMIT_LINE);
            assertTrue(committedBy.values().stream().allMatch(s -> s.size() == 1),
                    "still one writer per generation: " + committedBy);
            assertTrue(committedBy.entrySet().stream().anyMatch(e -> e.getKey().endsWith("@3")
                    && !e.getValue().contains(0)), "the survivors committed third generations: " + committedBy);

            // the other site synced beside them, and its acks reached it: its second generation is
            // an incremental on the base its first one left
            for (TestImage image : elsewhere) {
                image.writeRandom(MiB, MiB);
                other.requestSync(image.volumeId(), "incremental", LONG);
            }
            awaitCommitted(writer, List.of(other), elsewhere, 2);
            assertBitIdentical(dir, writer, elsewhere);
            for (TestImage image : elsewhere) {
                assertEquals(List.of("FULL", "INCREMENTAL"), modes(writer.points(image.volumeId())),
                        "the other site's " + image.volumeId());
                assertEquals(2, other.volume(image.volumeId()).path("baseGeneration").asLong(),
                        "the other site acted on its own acks");
            }
        } finally {
            proxies.forEach(BlockferryProcess::close);
            writers.forEach(BlockferryProcess::close);
            images.forEach(TestImage::close);
            elsewhere.forEach(TestImage::close);
        }
    }

    private static final Pattern OWNS_LINE = Pattern.compile("This writer owns chunk partitions \\[([0-9, ]*)]");

    /** The chunk partitions the writers said they own in what they logged after {@code from} (log lengths). */
    private static Set<Integer> partitionsTakenSince(List<BlockferryProcess> writers, List<Integer> from) {
        Set<Integer> owned = new TreeSet<>();
        for (int i = 0; i < writers.size(); i++) {
            Matcher m = OWNS_LINE.matcher(writers.get(i).log().substring(from.get(i)));
            while (m.find()) {
                for (String p : m.group(1).split(",\\s*")) {
                    if (!p.isBlank()) {
                        owned.add(Integer.parseInt(p.trim()));
                    }
                }
            }
        }
        return owned;
    }

    /** The processes (by index) that did the work of {@code byGeneration}. */
    private static Set<Integer> spread(Map<String, Set<Integer>> byGeneration) {
        Set<Integer> working = new TreeSet<>();
        byGeneration.values().forEach(working::addAll);
        return working;
    }

    /**
     * A fourth proxy joins and leaves the group every few seconds for a minute (a clean stop, or a
     * kill -9, in turn) while the volumes are synced over and over: no generation is made twice,
     * none is lost, every volume ends bit-identical, and no chain restarts in full.
     */
    @Test
    void should_keep_every_chain_whole_through_a_rebalance_storm() throws Exception {
        Site site = Site.create();
        List<TestImage> images = new ArrayList<>();
        List<BlockferryProcess> proxies = new ArrayList<>();
        try (BlockferryProcess writer = site.startTarget()) {
            for (int i = 0; i < 6; i++) {
                TestImage image = new TestImage("volumes", site.prefix() + "-s" + i, 8L * MiB, 200 + i);
                images.add(image);
                image.writeRandom(0, 2 * MiB);
            }
            proxies.add(site.startProxy("steady-0"));
            proxies.add(site.startProxy("steady-1"));
            for (TestImage image : images) {
                proxies.get(0).requestSync(image.volumeId(), "full", LONG);
            }
            awaitCommitted(writer, proxies, images, 1);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int round = 0;
            while (System.nanoTime() < end) {
                for (TestImage image : images) {
                    image.writeRandom((round % 6) * MiB, MiB / 2);
                    proxies.get(round % 2).requestSync(image.volumeId(), "incremental", LONG);
                }
                BlockferryProcess joiner = site.startProxy("joiner-" + round);
                proxies.add(joiner);
                // it leaves once the group has given it volumes: every round moves partitions twice
                Await.until(joiner::log, log -> log.contains("This proxy owns task partitions"), LONG,
                        "the joining proxy given task partitions");
                if (round % 2 == 0) {
                    joiner.close();
                } else {
                    joiner.kill();
                }
                round++;
            }
            // the storm is over: a last sync of each, then everything settles
            Map<String, Long> before = new HashMap<>();
            for (TestImage image : images) {
                before.put(image.volumeId(), BlockferryProcess.generations(writer.points(image.volumeId())).stream()
                        .mapToLong(g -> g).max().orElse(0));
            }
            long newest = before.values().stream().mapToLong(g -> g).max().orElse(0);
            for (TestImage image : images) {
                image.writeRandom(7L * MiB, MiB);
                proxies.get(0).requestSync(image.volumeId(), "incremental", LONG);
            }
            for (TestImage image : images) {
                awaitCommitted(writer, proxies, List.of(image), before.get(image.volumeId()) + 1);
            }
            List<BlockferryProcess> steady = proxies.subList(0, 2);
            Await.until(() -> steady.stream().map(p -> p.api().get("/api/tasks").body()).toList(),
                    tasks -> tasks.stream().allMatch(t -> t.path("running").isEmpty() && t.path("queued").isEmpty())
                            && images.stream().allMatch(i -> steady.stream().anyMatch(p ->
                                    p.volume(i.volumeId()).path("baseGeneration").asLong() > 0
                                            && p.volume(i.volumeId()).path("pendingGeneration").isNull())),
                    LONG, "both steady proxies idle, every volume settled on one of them");
            assertBitIdentical(site.dir(), writer, images);
            Map<String, Set<Integer>> byProxy = syncedBy(proxies, SYNC_LINE);
            assertTrue(byProxy.values().stream().allMatch(s -> s.size() == 1),
                    "each generation was made by one proxy: " + byProxy);
            for (TestImage image : images) {
                JsonNode points = writer.points(image.volumeId());
                List<Long> generations = BlockferryProcess.generations(points);
                assertEquals(generations.size(), new TreeSet<>(generations).size(), "no generation twice: " + points);
                List<String> modes = modes(points);
                assertEquals("FULL", modes.get(0));
                assertTrue(modes.subList(1, modes.size()).stream().allMatch("INCREMENTAL"::equals),
                        "no full resync of " + image.volumeId() + " through the storm: " + modes);
            }
            System.out.printf("ProxyGroupTest: %d joins and leaves of a fourth proxy; generations up to %d before "
                    + "the last round%n", round, newest);
        } finally {
            proxies.forEach(BlockferryProcess::close);
            images.forEach(TestImage::close);
        }
    }

    private static List<String> modes(JsonNode points) {
        List<String> modes = new ArrayList<>();
        points.forEach(p -> modes.add(p.path("mode").asText()));
        return modes;
    }

    /** Waits until every volume has a committed point of generation {@code atLeast} or later on the target. */
    private static void awaitCommitted(BlockferryProcess writer, List<BlockferryProcess> proxies,
                                       List<TestImage> images, long atLeast) {
        for (TestImage image : images) {
            try {
                Await.until(() -> writer.points(image.volumeId()), p -> p.isArray() && p.size() > 0
                        && p.get(p.size() - 1).path("generation").asLong() >= atLeast, LONG,
                        image.volumeId() + " committed at generation " + atLeast);
            } catch (AssertionError e) {
                StringBuilder logs = new StringBuilder(e.getMessage()).append("\ntarget log: ").append(writer.logTail());
                for (int i = 0; i < proxies.size(); i++) {
                    logs.append("\nproxy ").append(i).append(" log: ").append(proxies.get(i).logTail());
                }
                throw new AssertionError(logs.toString(), e);
            }
        }
    }

    /** The target's replica of each volume is its newest point's source snapshot, bit for bit. */
    private static void assertBitIdentical(Path dir, BlockferryProcess writer, List<TestImage> images)
            throws java.io.IOException {
        for (TestImage image : images) {
            JsonNode points = writer.points(image.volumeId());
            String snapshot = points.get(points.size() - 1).path("snapshot").asText();
            Path replica = dir.resolve("repository")
                    .resolve(URLEncoder.encode(image.volumeId(), StandardCharsets.UTF_8)).resolve("replica.img");
            assertEquals(LocalCeph.exportSha256(image.pool, image.name, snapshot), Checksums.sha256(replica),
                    image.volumeId() + " at " + snapshot);
        }
    }

    /**
     * Which processes (by index) logged {@code line} for each generation ("volume@generation"): the
     * proxies that began it ({@link #SYNC_LINE}), the writers that committed it ({@link #COMMIT_LINE}).
     */
    private static Map<String, Set<Integer>> syncedBy(List<BlockferryProcess> processes, Pattern line) {
        Map<String, Set<Integer>> by = new TreeMap<>();
        for (int i = 0; i < processes.size(); i++) {
            Matcher m = line.matcher(processes.get(i).log());
            while (m.find()) {
                by.computeIfAbsent(m.group(1) + "@" + m.group(2), k -> new TreeSet<>()).add(i);
            }
        }
        return by;
    }

    /** A proxy whose log shows a third generation begun and not yet published: {proxy, volume, generation}, or null. */
    private static String[] streamingNow(List<BlockferryProcess> proxies) {
        for (int i = 0; i < proxies.size(); i++) {
            String log = proxies.get(i).log();
            Matcher m = SYNC_LINE.matcher(log);
            while (m.find()) {
                if (Long.parseLong(m.group(2)) >= 3 && !log.contains("Volume " + m.group(1) + " generation "
                        + m.group(2) + " published") && !log.contains(m.group(1) + " generation " + m.group(2) + " (")) {
                    return new String[] {Integer.toString(i), m.group(1), m.group(2)};
                }
            }
        }
        return null;
    }


}
