package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.blockferry.events.Causes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * JSON over HTTPS to the APIG and the array. Requests and answers are never logged: bodies carry
 * passwords, headers carry tokens. A transport failure is {@link HcsUnavailableException}.
 */
final class HcsHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final Duration timeout;
    private final javax.net.ssl.X509TrustManager trust;

    /** An answer: the status, the headers and the body as JSON (a text node when it is not JSON). */
    record Reply(int status, HttpHeaders headers, JsonNode body) {
        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        boolean ok() {
            return status / 100 == 2;
        }
    }

    HcsHttp(Path caFile, Duration timeout, String caKey) {
        this.timeout = timeout;
        this.trust = caFile == null ? null : trustManager(caFile, caKey);
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .sslContext(trust == null ? defaultContext() : context(trust))
                .build();
    }

    /** The trust manager of the configured CA file, or null for the JVM's own. */
    javax.net.ssl.X509TrustManager trustManager() {
        return trust;
    }

    Reply send(String method, URI uri, Map<String, String> headers, JsonNode body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        request.header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json;charset=UTF-8");
        }
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), response.headers(), parse(response.body()));
        } catch (IOException e) {
            throw new HcsUnavailableException(method + " " + where(uri) + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "; check that the URL is right "
                    + "and reachable from the proxy");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HcsUnavailableException(method + " " + where(uri) + " was interrupted");
        }
    }

    /** The URL without its query (which never holds secrets, but may be long). */
    static String where(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
            return TextNode.valueOf(text);
        }
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts exactly the CAs of {@code caFile}, as a site with its own CA needs. */
    private static javax.net.ssl.X509TrustManager trustManager(Path caFile, String key) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            if (i == 0) {
                throw new IOException("no certificate in it");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (javax.net.ssl.TrustManager m : factory.getTrustManagers()) {
                if (m instanceof javax.net.ssl.X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IOException("the JVM made no X.509 trust manager of it");
        } catch (Exception e) {
            throw new HcsException("cannot use " + caFile + " as the CA of HCS and Dorado (" + key + "): "
                    + e.getMessage() + "; give the PEM file of the CA that signed their certificates",
                    Causes.CONFIGURATION_INVALID);
        }
    }

    private static SSLContext context(javax.net.ssl.X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
