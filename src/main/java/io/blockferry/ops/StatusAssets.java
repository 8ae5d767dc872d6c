package io.blockferry.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The status page's files, from the class path's {@code status/} folder. Only the files named
 * here are served: never a path an address makes up, so nothing else of the class path or the
 * working directory (where the configuration with the API token lies) can be fetched.
 */
public final class StatusAssets {

    /** A file of the page and its content type. */
    public record Asset(String contentType, byte[] bytes) {
    }

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "status.css", "text/css; charset=utf-8",
            "status.js", "text/javascript; charset=utf-8",
            "chart.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    /** @param name a file name, or null or blank for the page itself */
    public Asset asset(String name) {
        String file = name == null || name.isBlank() ? "index.html" : name;
        String type = TYPES.get(file);
        if (type == null) {
            throw new ApiException(404, "the status page has no file '" + file + "'; open /status/");
        }
        return cache.computeIfAbsent(file, f -> new Asset(type, read("status/" + f)));
    }

    private static byte[] read(String resource) {
        try (InputStream in = StatusAssets.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + resource + ": build it again");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
