package io.blockferry.demo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What the benchmark must undo (runtimes, the child broker, images, data directories), closed
 * last-in first-out: at the end of a mode, at the end of the run, and from a shutdown hook on
 * Ctrl-C or SIGTERM, so a benchmark stopped half-way leaves no image, snapshot or process behind.
 */
final class Cleanup implements AutoCloseable {

    private final Deque<Step> steps = new ArrayDeque<>();
    private final Thread hook = new Thread(this::closeQuietly, "benchmark-cleanup");

    private record Step(String what, AutoCloseable action) {
    }

    Cleanup() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Registers {@code resource} to be closed; returns it. */
    synchronized <T extends AutoCloseable> T add(String what, T resource) {
        steps.push(new Step(what, resource));
        return resource;
    }

    /** Closes one registered resource now, and forgets it. */
    void closeNow(AutoCloseable resource) {
        Step step;
        synchronized (this) {
            step = steps.stream().filter(s -> s.action == resource).findFirst().orElse(null);
            if (step == null) {
                return;
            }
            steps.remove(step);
        }
        run(step);
    }

    /** Closes everything still registered; returns what could not be undone. */
    List<String> closeAll() {
        List<String> problems = new ArrayList<>();
        while (true) {
            Step step;
            synchronized (this) {
                step = steps.poll();
            }
            if (step == null) {
                return problems;
            }
            String problem = run(step);
            if (problem != null) {
                problems.add(problem);
            }
        }
    }

    private static String run(Step step) {
        try {
            step.action.close();
            return null;
        } catch (Exception | Error e) {
            String problem = "cleanup of " + step.what + " failed: " + e.getMessage();
            System.err.println("benchmark: " + problem);
            return problem;
        }
    }

    private void closeQuietly() {
        closeAll();
    }

    @Override
    public void close() {
        closeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is what called us
        }
    }
}
