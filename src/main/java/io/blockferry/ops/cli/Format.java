package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** How the CLI's tables show the API's values. */
final class Format {

    private Format() {
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return absent(v) ? null : v.asText();
    }

    static boolean absent(JsonNode node) {
        return node.isMissingNode() || node.isNull();
    }

    static String age(JsonNode seconds) {
        return absent(seconds) ? null : age(seconds.asLong());
    }

    static String age(long s) {
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
    }

    /** An objective as the policy file writes it: 1h, 15m, 90s. */
    static String objective(JsonNode seconds) {
        if (absent(seconds)) {
            return null;
        }
        long s = seconds.asLong();
        return s % 86_400 == 0 ? s / 86_400 + "d" : s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m"
                : s + "s";
    }

    static String percent(JsonNode p) {
        long total = p.path("bytesTotal").asLong();
        return bytes(p.path("bytesDone").asLong()) + "/" + bytes(total)
                + (total > 0 ? String.format(Locale.ROOT, " (%d%%)", p.path("bytesDone").asLong() * 100 / total) : "");
    }

    static String bytes(long n) {
        return n >= 1L << 30 ? String.format(Locale.ROOT, "%.1fG", n / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1fM", n / (double) (1L << 20));
    }

    /** The API path of a volume, {@code pool/image} with each part escaped. */
    /** A volume id as the API's one path segment ({@code hcs%3Aproject%2Fdisk}), or a usage error. */
    static String volumePath(String volume) {
        try {
            return ApiConnection.segment(io.blockferry.source.VolumeId.parse(volume).toString());
        } catch (IllegalArgumentException e) {
            throw new CliException("'" + volume + "' is not POOL/IMAGE, such as volumes/volume-1234 (or "
                    + "BACKEND:POOL/NAME for another backend): " + e.getMessage(), ExitCodes.USAGE);
        }
    }
}
