package io.blockferry.demo;

import io.blockferry.demo.BenchOptions.BrokerMode;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What the parts of one broker mode share: the running Blockferry, the images, the baseline, the
 * row runner. Each part is its own class; this only carries them.
 *
 * @param firstMode whether this is the JVM's first broker mode (later ones run on a warm JIT)
 */
record BenchContext(BrokerMode mode, boolean firstMode, BenchOptions options, BenchRuntime runtime,
                    BenchImages images, RbdCli rbd, RowRunner rows, Results results, PrintStream out) {

    /** The same with a new runtime (after one was restarted). */
    BenchContext with(BenchRuntime newRuntime) {
        return new BenchContext(mode, firstMode, options, newRuntime, images, rbd, rows, results, out);
    }

    Row row(Row.Kind kind, RowRunner.Body body) {
        return rows.run(mode, kind, body);
    }

    /** An image name of this run: the prefix, then {@code suffix}. */
    String image(String suffix) {
        return options.imagePrefix() + suffix;
    }

    void say(String format, Object... args) {
        out.printf("[%s] %s%n", mode.key(), String.format(format, args));
    }

    /**
     * Checks a replica against the source snapshot it was made from; outside every timed window.
     * A replica that cannot be read counts as different.
     */
    void verify(String image, String snapshot) {
        verify(image, snapshot, options.size());
    }

    /** The same for an image of {@code size} bytes. */
    void verify(String image, String snapshot, long size) {
        String volume = BenchImages.volumeId(image);
        // both sides at once: on 2 cores that halves the pause between rows
        CompletableFuture<String> source = CompletableFuture.supplyAsync(() -> images.sha256(image, snapshot,
                size));
        String replica;
        try {
            replica = Checksums.sha256(runtime.replica(volume));
        } catch (Exception e) {
            replica = "unreadable (" + e.getMessage() + ")";
        }
        String sourceSha;
        try {
            sourceSha = source.join();
        } catch (CompletionException e) {
            sourceSha = "unreadable (" + e.getCause().getMessage() + ")";
        }
        ReplicaCheck check = new ReplicaCheck(mode, volume, snapshot, sourceSha, replica);
        results.add(check);
        if (check.identical()) {
            say("replica of %s is bit-identical to @%s (sha256 %s)", volume, snapshot, check.sourceSha());
        } else {
            out.println(ResultTable.loud(check));
        }
    }
}
