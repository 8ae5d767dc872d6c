package io.blockferry.restore;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores run as jobs: the request that starts one is answered at once with the job, whose
 * status ({@code running}, {@code succeeded} with the result, {@code failed} with the error) is
 * read later. A server is restored by one job at a time; a second request while one runs is
 * refused. The last {@value #KEPT} finished jobs are remembered (in memory: a restart forgets them).
 */
public final class RestoreJobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreJobs.class);
    static final int KEPT = 100;

    /** One restore and how it went. Times are epoch milliseconds; finishedAtMillis is 0 while it runs. */
    public record Job(String id, String serverId, String status, long startedAtMillis, long finishedAtMillis,
                      RestoreRunner.Result result, String error) {

        public static final String RUNNING = "running";
        public static final String SUCCEEDED = "succeeded";
        public static final String FAILED = "failed";
    }

    /** The restore, prepared in the request (planned, its chain pinned): it runs on the job's thread, then closes. */
    public interface Prepared extends AutoCloseable {
        RestoreRunner.Result run();

        @Override
        void close();
    }

    /** Another job restores the server already. */
    public static final class BusyException extends RuntimeException {
        private final String jobId;

        BusyException(String serverId, String jobId) {
            super("server " + serverId + " is being restored by job " + jobId + ": one restore of a server at a time; "
                    + "see GET /api/restores/" + jobId);
            this.jobId = jobId;
        }

        public String jobId() {
            return jobId;
        }
    }

    private final ExecutorService threads;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, String> runningByServer = new HashMap<>();
    private final Deque<String> finished = new ArrayDeque<>();

    public RestoreJobs() {
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a restore of {@code serverId}: {@code prepare} runs now (its failure is the request's),
     * the restore itself on a thread of its own.
     *
     * @throws BusyException while another job restores the same server
     */
    public Job start(String serverId, Function<String, Prepared> prepare) {
        String id = UUID.randomUUID().toString();
        synchronized (this) {
            String busy = runningByServer.get(serverId);
            if (busy != null) {
                throw new BusyException(serverId, busy);
            }
            runningByServer.put(serverId, id);
            jobs.put(id, new Job(id, serverId, Job.RUNNING, System.currentTimeMillis(), 0, null, null));
        }
        Prepared prepared;
        try {
            prepared = prepare.apply(id);
        } catch (RuntimeException e) {
            synchronized (this) {
                runningByServer.remove(serverId);
                jobs.remove(id);
            }
            throw e;
        }
        try {
            threads.execute(() -> run(id, prepared));
        } catch (RuntimeException e) {
            prepared.close();
            finish(id, null, "the restore could not start: " + e.getMessage());
        }
        return find(id).orElseThrow();
    }

    private void run(String id, Prepared prepared) {
        try (prepared) {
            RestoreRunner.Result result = prepared.run();
            finish(id, result, null);
        } catch (RuntimeException e) {
            LOG.error("Restore job {} failed: {}", id, e.getMessage());
            finish(id, null, e.getMessage());
        }
    }

    private synchronized void finish(String id, RestoreRunner.Result result, String error) {
        Job job = jobs.get(id);
        jobs.put(id, new Job(id, job.serverId(), error == null ? Job.SUCCEEDED : Job.FAILED, job.startedAtMillis(),
                System.currentTimeMillis(), result, error));
        runningByServer.remove(job.serverId(), id);
        finished.add(id);
        while (finished.size() > KEPT) {
            jobs.remove(finished.poll());
        }
    }

    public synchronized Optional<Job> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
