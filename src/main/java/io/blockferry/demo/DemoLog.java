package io.blockferry.demo;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Sends the demo's logs to a file: log4j (reconfigured with log4j2-demo.properties) and whatever
 * the libraries print on standard output and error. The demo keeps the terminal for its steps.
 */
final class DemoLog implements AutoCloseable {

    private final PrintStream stdout = System.out;
    private final PrintStream stderr = System.err;
    private final PrintStream file;

    private DemoLog(Path path) throws IOException {
        io.blockferry.store.OwnerOnly.createDirectories(path.toAbsolutePath().getParent());
        System.setProperty("blockferry.log.file", path.toAbsolutePath().toString());
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        try {
            context.setConfigLocation(DemoLog.class.getClassLoader().getResource("log4j2-demo.properties").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("log4j2-demo.properties has no usable location", e);
        }
        this.file = new PrintStream(new FileOutputStream(path.toFile(), true), true, StandardCharsets.UTF_8);
        io.blockferry.store.OwnerOnly.restrict(path); // it names volumes and snapshots: the owner's only
        System.setOut(file);
        System.setErr(file);
    }

    static DemoLog to(Path path) {
        try {
            return new DemoLog(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo's log " + path, e);
        }
    }

    @Override
    public void close() {
        System.setOut(stdout);
        System.setErr(stderr);
        file.flush();
    }
}
