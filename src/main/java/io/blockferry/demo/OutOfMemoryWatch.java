package io.blockferry.demo;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;

/**
 * Notices an {@link OutOfMemoryError} anywhere in this JVM, so a row that ran out of heap is
 * reported as a failed row instead of waiting for an ack that will never come.
 *
 * <p>An OOM in Blockferry's threads does not reach the benchmark: the chunk-write consumer runs in
 * an executor whose future keeps the error, and Camel's error handler keeps an exchange's. So
 * the watch listens in four places: errors logged through log4j (Camel's error handler and
 * Kafka's threads log theirs), threads that die of one (the default uncaught-exception handler),
 * errors the benchmark itself catches, and the JVM's own heap-dump-on-OOM, pointed at a
 * directory of ours: that one fires for the first heap OOM the VM raises even when nobody logs it.
 */
final class OutOfMemoryWatch implements AutoCloseable {

    private static final String APPENDER = "blockferry-bench-oom-watch";

    private final List<String> seen = new ArrayList<>();
    private final Path dumpDir;
    private final Runnable uninstall;

    private OutOfMemoryWatch(Path dumpDir, Runnable uninstall) {
        this.dumpDir = dumpDir;
        this.uninstall = uninstall;
    }

    static OutOfMemoryWatch install(Path dumpDir) throws IOException {
        Files.createDirectories(dumpDir);
        List<Runnable> undo = new ArrayList<>();
        OutOfMemoryWatch[] self = new OutOfMemoryWatch[1];
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (isOutOfMemory(error)) {
                self[0].record("thread " + thread.getName() + " died of " + error);
            }
            if (previous != null) {
                previous.uncaughtException(thread, error);
            } else {
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                error.printStackTrace();
            }
        });
        undo.add(() -> Thread.setDefaultUncaughtExceptionHandler(previous));
        if (LogManager.getContext(false) instanceof LoggerContext context) {
            Configuration config = context.getConfiguration();
            AbstractAppender appender = new AbstractAppender(APPENDER, null, null, true, Property.EMPTY_ARRAY) {
                @Override
                public void append(LogEvent event) {
                    String message = event.getMessage() == null ? "" : event.getMessage().getFormattedMessage();
                    if (isOutOfMemory(event.getThrown()) || message.contains("OutOfMemoryError")) {
                        self[0].record("logged by " + event.getLoggerName() + " in thread " + event.getThreadName()
                                + ": " + (event.getThrown() == null ? message : event.getThrown().toString()));
                    }
                }
            };
            appender.start();
            config.addAppender(appender);
            // Every logger is additive, so the root's appenders see what each of them logs.
            config.getRootLogger().addAppender(appender, null, null);
            context.updateLoggers();
            undo.add(() -> {
                config.getRootLogger().removeAppender(APPENDER);
                context.updateLoggers();
                appender.stop();
            });
        }
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (vm != null && !Boolean.parseBoolean(vm.getVMOption("HeapDumpOnOutOfMemoryError").getValue())) {
            // Both flags are manageable; a heap dump someone asked for on the command line is left alone.
            String path = vm.getVMOption("HeapDumpPath").getValue();
            vm.setVMOption("HeapDumpPath", dumpDir.toAbsolutePath().toString());
            vm.setVMOption("HeapDumpOnOutOfMemoryError", "true");
            undo.add(() -> {
                vm.setVMOption("HeapDumpOnOutOfMemoryError", "false");
                vm.setVMOption("HeapDumpPath", path);
            });
        }
        self[0] = new OutOfMemoryWatch(dumpDir, () -> undo.forEach(Runnable::run));
        return self[0];
    }

    static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    synchronized void record(String where) {
        seen.add(where);
    }

    /** How many signs of an OOM have been seen so far; a row remembers it when it starts. */
    synchronized int mark() {
        noticeDump();
        return seen.size();
    }

    /** The first sign of an OOM after {@code mark}, or null. */
    synchronized String since(int mark) {
        noticeDump();
        return seen.size() > mark ? seen.get(mark) : null;
    }

    /** Every sign of an OOM after {@code mark}, in the order seen. */
    synchronized List<String> allSince(int mark) {
        noticeDump();
        return seen.size() > mark ? List.copyOf(seen.subList(mark, seen.size())) : List.of();
    }

    /** The JVM dumps only on its first heap OOM: the dump is noted once and deleted (it is as big as the heap). */
    private void noticeDump() {
        try (Stream<Path> files = Files.list(dumpDir)) {
            for (Path dump : files.filter(f -> f.getFileName().toString().endsWith(".hprof")).toList()) {
                seen.add("the JVM raised an OutOfMemoryError and dumped its heap (" + dump.getFileName() + ")");
                Files.deleteIfExists(dump);
            }
        } catch (IOException e) {
            // an unreadable directory only loses this one signal
        }
    }

    @Override
    public void close() throws IOException {
        uninstall.run();
        DemoImages.wipe(dumpDir);
    }
}
