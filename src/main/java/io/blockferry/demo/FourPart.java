package io.blockferry.demo;

import io.blockferry.demo.Row.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Four volumes like the single one, synced at once through the runtime, against four baseline
 * pipes at once. The aggregate rate is all four volumes' data over the wall time from the first
 * request to the last ack.
 */
final class FourPart {

    static final int VOLUMES = 4;

    /** What the Kafka-only stage must move to match the four-volume row: bytes per volume. */
    record Sent(List<String> volumeIds, List<Long> bytes) {
    }

    private FourPart() {
    }

    static Sent run(BenchContext c) throws Exception {
        long size = c.options().size();
        List<String> images = new ArrayList<>();
        List<Long> written = new ArrayList<>();
        List<RbdCli.Pipe> pipes = new ArrayList<>();
        try {
            for (int i = 1; i <= VOLUMES; i++) {
                String image = c.image("-four-" + i);
                images.add(image);
                written.add(c.images().createWithHoles(image, size, 10 + i));
                c.images().create(image + "-copy", size, 22);
                c.images().snapshot(image, "base-1");
                pipes.add(new RbdCli.Pipe(image, null, "base-1", image + "-copy"));
            }
            c.say("four: %d images like the single one, %d MiB of random data in all", VOLUMES,
                    written.stream().mapToLong(Long::longValue).sum() >> 20);
            long diff = 0;
            for (String image : images) {
                diff += c.rbd().diffDataBytes(image, null, "base-1");
            }
            long diffBytes = diff;
            c.row(Kind.BASELINE_FOUR, a -> {
                RbdCli.Timed t = c.rbd().pipesAtOnce(pipes);
                return new RowRunner.Outcome(diffBytes, t.wallSeconds(), "pipes ended at " + seconds(t.seconds()));
            });
            pipes.forEach(p -> c.images().removeIfFree(p.dest())); // the copies are not needed any more

            List<SyncRows> syncs = images.stream().map(i -> new SyncRows(c)).toList();
            List<Long> sent = new ArrayList<>(written);
            c.row(Kind.FOUR, a -> syncAll(c, images, syncs, sent, a));
            for (int i = 0; i < VOLUMES; i++) {
                syncs.get(i).verify(images.get(i));
            }
            return new Sent(images.stream().map(BenchImages::volumeId).toList(), sent);
        } finally {
            images.forEach(i -> c.images().removeIfFree(i + "-copy"));
            images.forEach(i -> c.images().removeIfFree(i));
        }
    }

    /** The syncs (four here) on threads of their own; an OOM seen anywhere ends the wait for all of them. */
    static RowRunner.Outcome syncAll(BenchContext c, List<String> images, List<SyncRows> syncs, List<Long> sent,
                                             BenchRuntime.Abandon abandon) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(images.size(), r -> {
            Thread t = new Thread(r, "bench-four-sync");
            t.setDaemon(true); // a sync given up on must not keep the JVM alive
            return t;
        });
        try {
            long start = System.nanoTime();
            List<Future<Double>> acks = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                int v = i;
                acks.add(pool.submit(() -> {
                    RowRunner.Outcome o = syncs.get(v).sync(images.get(v), false, "full", abandon, null);
                    sent.set(v, o.bytes());
                    return (System.nanoTime() - start) / 1e9;
                }));
            }
            List<Double> ends = new ArrayList<>();
            for (Future<Double> ack : acks) {
                ends.add(await(ack, abandon));
            }
            long bytes = sent.stream().mapToLong(Long::longValue).sum();
            return new RowRunner.Outcome(bytes, ends.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                    "acks at " + seconds(ends));
        } finally {
            pool.shutdownNow();
        }
    }

    private static double await(Future<Double> ack, BenchRuntime.Abandon abandon) throws Exception {
        while (true) {
            try {
                return ack.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                String reason = abandon.reason();
                if (reason != null) {
                    throw new IllegalStateException("gave up on the four syncs: " + reason);
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : e;
            }
        }
    }

    private static String seconds(List<Double> values) {
        return values.stream().sorted().map(s -> String.format("%.2f", s)).toList() + " s";
    }
}
