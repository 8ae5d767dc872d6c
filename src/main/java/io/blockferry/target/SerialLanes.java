package io.blockferry.target;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time per key, in the order given, on a shared pool: each volume's records
 * are applied in order while different volumes run in parallel. A lane gives its thread back after
 * a batch of tasks, so a busy volume cannot keep a thread from the others.
 */
public final class SerialLanes {

    private static final Logger LOG = LoggerFactory.getLogger(SerialLanes.class);
    private static final int BATCH = 64;

    private final Executor pool;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();

    public SerialLanes(Executor pool) {
        this.pool = pool;
    }

    private final class Lane implements Runnable {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean scheduled;

        void add(Runnable task) {
            boolean schedule;
            synchronized (this) {
                tasks.add(task);
                schedule = !scheduled;
                scheduled = true;
            }
            if (schedule) {
                pool.execute(this);
            }
        }

        @Override
        public void run() {
            for (int i = 0; i < BATCH; i++) {
                Runnable task;
                synchronized (this) {
                    task = tasks.poll();
                    if (task == null) {
                        scheduled = false;
                        return;
                    }
                }
                queued.decrementAndGet();
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.error("A writer task failed: {}", e.toString(), e);
                }
            }
            pool.execute(this);
        }
    }

    public void submit(String key, Runnable task) {
        queued.incrementAndGet();
        lanes.computeIfAbsent(key, k -> new Lane()).add(task);
    }

    /** Tasks submitted and not yet started, over all lanes. */
    public int queued() {
        return queued.get();
    }
}
