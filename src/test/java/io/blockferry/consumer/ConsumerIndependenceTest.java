package io.blockferry.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The reference consumer is a library of its own: its sources use no Blockferry class (only kafka-clients, Jackson, the JDK). */
class ConsumerIndependenceTest {

    @Test
    void should_use_no_blockferry_class_outside_its_own_package() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.walk(Path.of("consumer/src"))) {
            offending = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    return Files.readAllLines(p).stream().filter(l -> l.startsWith("import ")
                            && !l.matches("import (static )?(java|javax|org\\.apache\\.kafka|com\\.fasterxml\\.jackson|"
                            + "org\\.junit|io\\.blockferry\\.consumer)\\..*")).map(l -> p + ": " + l);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertEquals(List.of(), offending);
    }
}
