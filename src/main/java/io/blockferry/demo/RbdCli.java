package io.blockferry.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline: the stock rbd CLI as client.admin on the same cluster, in a bash pipeline so the
 * two rbd processes run as an operator would run them.
 */
final class RbdCli {

    /** One {@code rbd export-diff [--from-snap FROM] POOL/IMAGE@SNAP - | rbd import-diff - POOL/DEST}. */
    record Pipe(String image, String fromSnap, String snap, String dest) {
    }

    /** Pipes run at once: the wall time from the first start to the last end, and each pipe's own. */
    record Timed(double wallSeconds, List<Double> seconds) {
    }

    private final String rbd;

    RbdCli(Settings settings) {
        this.rbd = "rbd --conf " + settings.text("blockferry.ceph.conf") + " --id admin ";
    }

    /** Runs the pipes at once and waits for all of them; any failure fails the row. */
    Timed pipesAtOnce(List<Pipe> pipes) throws IOException, InterruptedException {
        List<Process> running = new ArrayList<>();
        List<CompletableFuture<Long>> ends = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (Pipe p : pipes) {
                Process process = new ProcessBuilder("bash", "-o", "pipefail", "-c", shell(p)).inheritIO().start();
                running.add(process);
                // the end of each pipe, taken when it exits, not when this thread gets round to it
                ends.add(process.onExit().thenApply(x -> System.nanoTime()));
            }
            List<Double> seconds = new ArrayList<>();
            for (int i = 0; i < running.size(); i++) {
                long end = ends.get(i).join();
                if (running.get(i).exitValue() != 0) {
                    throw new IOException("baseline failed: " + shell(pipes.get(i)));
                }
                seconds.add((end - start) / 1e9);
            }
            return new Timed(seconds.stream().mapToDouble(Double::doubleValue).max().orElse(0), seconds);
        } finally {
            running.forEach(RbdCli::destroyTree);
        }
    }

    /**
     * The data bytes of rbd's diff between two snapshots (or from nothing): the extents that
     * export-diff sends as data, without the ranges it sends as zeros.
     */
    long diffDataBytes(String image, String fromSnap, String snap) throws IOException, InterruptedException {
        String command = rbd + "diff " + (fromSnap == null ? "" : "--from-snap " + fromSnap + " ")
                + "--format json " + BenchImages.volumeId(image) + "@" + snap;
        Process p = new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (InputStream in = p.getInputStream()) {
            JsonNode extents = new ObjectMapper().readTree(in);
            if (p.waitFor() != 0 || extents == null || !extents.isArray()) {
                throw new IOException("failed: " + command);
            }
            long bytes = 0;
            for (JsonNode e : extents) {
                if (e.path("exists").asText().equals("true")) {
                    bytes += e.path("length").asLong();
                }
            }
            return bytes;
        } finally {
            destroyTree(p);
        }
    }

    private String shell(Pipe p) {
        return rbd + "export-diff --no-progress " + (p.fromSnap() == null ? "" : "--from-snap " + p.fromSnap() + " ")
                + BenchImages.volumeId(p.image()) + "@" + p.snap() + " - | " + rbd + "import-diff --no-progress - "
                + BenchImages.volumeId(p.dest());
    }

    /** A pipe left running by a failure (or Ctrl-C) must not go on writing into the cluster. */
    private static void destroyTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
    }
}
