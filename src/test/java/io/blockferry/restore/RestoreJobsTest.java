package io.blockferry.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Finding 20: a restore is a job with a status, one at a time per server; its pins go when it ends. */
class RestoreJobsTest {

    private final RestoreJobs jobs = new RestoreJobs();

    @AfterEach
    void close() {
        jobs.close();
    }

    private static RestoreJobs.Prepared blocking(CountDownLatch release, AtomicInteger closed, RuntimeException failure) {
        return new RestoreJobs.Prepared() {
            @Override
            public RestoreRunner.Result run() {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (failure != null) {
                    throw failure;
                }
                return new RestoreRunner.Result("src", "new-server", "web", List.of("v1"), List.of());
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }

    @Test
    void should_answer_at_once_refuse_a_second_restore_of_the_server_and_report_the_result() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger closed = new AtomicInteger();
        RestoreJobs.Job job = jobs.start("server-1", id -> blocking(release, closed, null));

        assertEquals(RestoreJobs.Job.RUNNING, job.status(), "the request does not wait for the restore");
        RestoreJobs.BusyException busy = assertThrows(RestoreJobs.BusyException.class,
                () -> jobs.start("server-1", id -> blocking(release, closed, null)));
        assertEquals(job.id(), busy.jobId());
        RestoreJobs.Job other = jobs.start("server-2", id -> blocking(release, closed, null));

        release.countDown();
        RestoreJobs.Job done = Await.until(() -> jobs.find(job.id()).orElseThrow(),
                j -> !RestoreJobs.Job.RUNNING.equals(j.status()), Duration.ofSeconds(30), "the job to end");
        assertEquals(RestoreJobs.Job.SUCCEEDED, done.status());
        assertEquals("new-server", done.result().serverId());
        assertTrue(done.finishedAtMillis() >= done.startedAtMillis());
        Await.until(() -> jobs.find(other.id()).orElseThrow().status(), s -> !s.equals(RestoreJobs.Job.RUNNING),
                Duration.ofSeconds(30), "the other server's job");
        assertEquals(2, closed.get(), "each job's pinned chain is released");
        RestoreJobs.Job again = jobs.start("server-1", id -> blocking(release, closed, null));
        assertTrue(!again.id().equals(job.id()), "a finished restore no longer blocks the server");
    }

    @Test
    void should_report_a_failed_restore_with_its_error_and_free_the_server() {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger closed = new AtomicInteger();
        release.countDown();
        RestoreJobs.Job job = jobs.start("server-3", id -> blocking(release, closed,
                new RestoreException("restoring server server-3 failed at step create-volume vda: quota exceeded")));

        RestoreJobs.Job done = Await.until(() -> jobs.find(job.id()).orElseThrow(),
                j -> !RestoreJobs.Job.RUNNING.equals(j.status()), Duration.ofSeconds(30), "the job to end");
        assertEquals(RestoreJobs.Job.FAILED, done.status());
        assertTrue(done.error().contains("quota exceeded"), done.error());
        assertEquals(1, closed.get());
        assertEquals(RestoreJobs.Job.RUNNING, jobs.start("server-3", id -> blocking(new CountDownLatch(0), closed, null))
                .status());
    }

    @Test
    void should_not_keep_a_job_whose_preparation_failed() {
        assertThrows(IllegalStateException.class, () -> jobs.start("server-4", id -> {
            throw new IllegalStateException("no committed recovery point");
        }));
        CountDownLatch release = new CountDownLatch(1);
        assertEquals(RestoreJobs.Job.RUNNING, jobs.start("server-4", id -> blocking(release, new AtomicInteger(), null))
                .status(), "the server is not left busy");
        release.countDown();
    }
}
