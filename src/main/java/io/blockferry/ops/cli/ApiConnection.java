package io.blockferry.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.config.Settings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The CLI's way to a running Blockferry: the REST API at {@code BLOCKFERRY_URL} (default: the
 * configured camel.server host and port) with the token from {@code BLOCKFERRY_API_TOKEN},
 * {@code blockferry.api.token}, or the generated {@code DATA_DIR/api-token}.
 */
final class ApiConnection {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    ApiConnection(String base, String token) {
        this.base = base;
        this.token = token;
    }

    static ApiConnection of(Settings settings) {
        String url = System.getenv().getOrDefault("BLOCKFERRY_URL", "http://"
                + settings.text("camel.server.host", "127.0.0.1") + ":" + settings.text("camel.server.port", "8080"));
        String token = System.getenv("BLOCKFERRY_API_TOKEN");
        if (token == null || token.isBlank()) {
            token = settings.text("blockferry.api.token", "");
        }
        if (token.isBlank()) {
            Path file = Path.of(settings.text("blockferry.data-dir"), "api-token");
            try {
                token = Files.readString(file).strip();
            } catch (IOException e) {
                throw CliException.unreachable("no API token: set BLOCKFERRY_API_TOKEN, or run this where Blockferry "
                        + "wrote " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return new ApiConnection(url.replaceAll("/+$", ""), token);
    }

    JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    /** A GET whose 404 means "nothing here" (such as an endpoint of a role the process does not run): null. */
    JsonNode find(String path) {
        HttpResponse<String> response = exchange(request(path).GET().build());
        return response.statusCode() == 404 ? null : body(response);
    }

    JsonNode post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    JsonNode delete(String path) {
        return send(request(path).DELETE().build());
    }

    /** A POST that answers when its work is done, such as a restore that copies whole volumes. */
    JsonNode postAndWait(String path, Duration timeout) {
        return send(request(path).timeout(timeout).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** What a download wrote: its size, the point it came from, the file's modification time. */
    /** @param archive the answer was a tar archive (a directory), not a file's bytes */
    record Download(long bytes, String point, long modifiedMillis, boolean archive) {
    }

    /** A GET whose answer is bytes, copied to out as they come; an error answers with its JSON message. */
    Download download(String path, java.io.OutputStream out) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .GET().build();
        HttpResponse<java.io.InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream in = response.body()) {
            if (response.statusCode() >= 400) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                JsonNode body;
                try {
                    body = JSON.readTree(text.isEmpty() ? "{}" : text);
                } catch (IOException e) {
                    body = JSON.createObjectNode();
                }
                throw new CliException(body.path("error").asText("HTTP " + response.statusCode()) + " (HTTP "
                        + response.statusCode() + ")");
            }
            long n = in.transferTo(out);
            long mtime = response.headers().firstValue("X-Blockferry-Mtime-Millis").map(Long::parseLong).orElse(0L);
            boolean archive = response.headers().firstValue("Content-Type").orElse("").startsWith("application/x-tar");
            return new Download(n, response.headers().firstValue("X-Blockferry-Point").orElse("?"), mtime, archive);
        } catch (IOException e) {
            throw new CliException("the download from " + base + " broke off: " + e.getMessage());
        }
    }

    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest request) {
        return body(exchange(request));
    }

    private static JsonNode body(HttpResponse<String> response) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
        } catch (IOException e) {
            throw new CliException("the API answered HTTP " + response.statusCode() + " with something else than JSON"
                    + " (is BLOCKFERRY_URL a Blockferry?)");
        }
        if (response.statusCode() >= 400) {
            throw new CliException(body.path("error").asText("HTTP " + response.statusCode()) + " (HTTP "
                    + response.statusCode() + ")");
        }
        return body;
    }

    private HttpResponse<String> exchange(HttpRequest request) {
        return exchange(request, HttpResponse.BodyHandlers.ofString());
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (ConnectException e) {
            throw CliException.unreachable("no Blockferry answers at " + base + ": start it with bin/blockferry run, "
                    + "or set BLOCKFERRY_URL");
        } catch (IOException e) {
            throw CliException.unreachable("cannot talk to Blockferry at " + base + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }
}
