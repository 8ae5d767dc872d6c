package io.blockferry.ops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** HTTP dates (RFC 1123), for Last-Modified. */
public final class HttpDates {

    private HttpDates() {
    }

    public static String of(long millis) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC));
    }
}
