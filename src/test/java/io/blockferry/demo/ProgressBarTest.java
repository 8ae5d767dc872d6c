package io.blockferry.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void should_print_only_the_final_line_when_not_on_a_terminal() {
        ProgressBar bar = new ProgressBar(out, false);
        bar.show(10L << 20, 40L << 20, 12.5);
        bar.show(30L << 20, 40L << 20, 14.0);
        bar.finish(40L << 20, 2.0);

        assertEquals("    [##############################] 100%  40.0 MiB in 2.0 s, 21 MB/s\n", text());
    }

    @Test
    void should_redraw_in_place_on_a_terminal() {
        ProgressBar bar = new ProgressBar(out, true);
        bar.show(10L << 20, 40L << 20, 12.4);
        bar.finish(40L << 20, 2.0);

        String text = text();
        assertTrue(text.startsWith("\r    [#######-----------------------]  25%  10.0 of 40.0 MiB  12 MB/s\r    "
                + "[##############################] 100%  40.0 MiB in 2.0 s, 21 MB/s"), text);
        assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, text);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
