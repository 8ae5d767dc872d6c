package io.blockferry.hawtio;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * In front of Hawtio's proxy ({@code /hawtio/proxy/*}): Blockferry's Jolokia needs a login and
 * refuses requests that come from a web page, so each proxied request is sent with the login
 * (HTTP Basic, from HAWTIO_JOLOKIA_USER and the file HAWTIO_JOLOKIA_PASSWORD_FILE, read here and
 * never sent to the browser) and without the browser's Origin, Referer, Cookie and Authorization.
 * A request whose Origin is not this Hawtio itself (another site's page driving the proxy) is
 * refused, so the proxy does not become the way around Jolokia's own check.
 */
final class JolokiaLogin implements Filter {

    private static final Set<String> HIDDEN = Set.of("origin", "referer", "cookie", "authorization");

    private final String user;
    private final Path passwordFile;
    private final String password;

    private JolokiaLogin(String user, Path passwordFile, String password) {
        this.user = user;
        this.passwordFile = passwordFile;
        this.password = password;
    }

    /**
     * The login of the environment. The password file is read at each request, so it may appear
     * after Hawtio starts (Blockferry makes its token at its own start); while it cannot be read,
     * requests go without a login and Jolokia answers 401, which Hawtio shows.
     */
    static JolokiaLogin fromEnvironment(java.util.Map<String, String> env) {
        String file = env.getOrDefault("HAWTIO_JOLOKIA_PASSWORD_FILE", "");
        String password = env.getOrDefault("HAWTIO_JOLOKIA_PASSWORD", "");
        return new JolokiaLogin(env.getOrDefault("HAWTIO_JOLOKIA_USER", "blockferry"),
                file.isBlank() ? null : Path.of(file).toAbsolutePath(), password.isBlank() ? null : password);
    }

    boolean configured() {
        return passwordFile != null || password != null;
    }

    private String authorization() {
        if (passwordFile == null) {
            return password == null ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
        try {
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
            return password.isEmpty() ? null : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest http = (HttpServletRequest) request;
        String origin = http.getHeader("Origin");
        String self = http.getScheme() + "://" + http.getHeader("Host");
        if (origin != null && !origin.equalsIgnoreCase(self)) {
            ((HttpServletResponse) response).sendError(403, "cross-origin request to Hawtio's proxy refused");
            return;
        }
        String authorization = authorization();
        chain.doFilter(new HttpServletRequestWrapper(http) {
            @Override
            public String getHeader(String name) {
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("authorization")) {
                    return authorization;
                }
                return HIDDEN.contains(lower) ? null : super.getHeader(name);
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                String value = getHeader(name);
                return value == null ? Collections.emptyEnumeration() : HIDDEN.contains(name.toLowerCase(Locale.ROOT))
                        ? Collections.enumeration(List.of(value)) : super.getHeaders(name);
            }

            @Override
            public Enumeration<String> getHeaderNames() {
                List<String> names = new ArrayList<>();
                for (String name : Collections.list(super.getHeaderNames())) {
                    if (!HIDDEN.contains(name.toLowerCase(Locale.ROOT))) {
                        names.add(name);
                    }
                }
                if (authorization != null) {
                    names.add("Authorization");
                }
                return Collections.enumeration(names);
            }
        }, response);
    }
}
