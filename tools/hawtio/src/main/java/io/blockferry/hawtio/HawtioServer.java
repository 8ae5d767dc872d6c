package io.blockferry.hawtio;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ClassMatcher;

/**
 * Runs Hawtio 4's war on an embedded Jetty 12 with Blockferry's Jolokia endpoints as preset
 * connections. {@code /} is a landing page that stores those connections where Hawtio's Connect
 * plugin keeps its own (the browser's localStorage, same origin) and opens the Camel routes view
 * of the first one, so the operator types no URL. Hawtio reaches the endpoints through its proxy
 * servlet, whose allowlist is their hosts (and localhost, Hawtio's default).
 *
 * <p>Settings come from the environment (bin/hawtio documents them): HAWTIO_HOST, HAWTIO_PORT,
 * HAWTIO_CONNECTIONS ({@code name=url,...}), HAWTIO_USERS (a users file: login required),
 * HAWTIO_JOLOKIA_USER and HAWTIO_JOLOKIA_PASSWORD_FILE (the login to Blockferry's Jolokia) and
 * HAWTIO_WAR.
 */
public final class HawtioServer {

    static final String DEFAULT_CONNECTIONS = "blockferry=http://127.0.0.1:9876/observe/jolokia";

    private HawtioServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String host = env.getOrDefault("HAWTIO_HOST", "127.0.0.1");
        int port = Integer.parseInt(env.getOrDefault("HAWTIO_PORT", "8090"));
        List<Connection> connections = Connection.parseAll(env.getOrDefault("HAWTIO_CONNECTIONS", DEFAULT_CONNECTIONS));
        Path war = Path.of(env.getOrDefault("HAWTIO_WAR", besideThisJar("hawtio.war").toString()));
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("Hawtio's war is not at " + war + ": build it with bin/hawtio or set HAWTIO_WAR");
        }
        configureHawtio(connections);
        String users = env.getOrDefault("HAWTIO_USERS", "");
        if (!users.isBlank()) {
            requireLogin(Path.of(users).toAbsolutePath());
        }

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        WebAppContext hawtio = new WebAppContext();
        hawtio.setContextPath("/hawtio");
        hawtio.setWar(war.toString());
        // The war logs through its own SLF4J and Log4j; keep this launcher's SLF4J binding out of it.
        hawtio.addHiddenClassMatcher(new ClassMatcher(codeSourceOf(org.slf4j.simple.SimpleLogger.class).toString()));
        // Blockferry's Jolokia needs a login and refuses web pages: the proxy sends the login, not the browser.
        JolokiaLogin login = JolokiaLogin.fromEnvironment(env);
        hawtio.addFilter(new org.eclipse.jetty.ee10.servlet.FilterHolder(login), "/proxy/*",
                java.util.EnumSet.of(jakarta.servlet.DispatcherType.REQUEST));
        if (!login.configured()) {
            System.out.println("Hawtio: HAWTIO_JOLOKIA_PASSWORD_FILE is not set: Blockferry's Jolokia will answer 401");
        }
        ContextHandler landing = new ContextHandler(new LandingPage(connections), "/");
        server.setHandler(new ContextHandlerCollection(hawtio, landing));
        server.setStopAtShutdown(true);
        server.start();
        System.out.printf("Hawtio is at http://%s:%d/ (Camel routes of %s)%n", host, port, connections.get(0).url());
        server.join();
    }

    /** Hawtio's own settings are system properties (see Hawtio's configuration guide). */
    private static void configureHawtio(List<Connection> connections) {
        Set<String> hosts = new LinkedHashSet<>();
        connections.forEach(c -> hosts.add(c.host()));
        // Hawtio's proxy may reach Blockferry's endpoints and, by Hawtio's own default, localhost.
        System.setProperty("hawtio.proxyAllowlist", String.join(",", hosts));
        System.setProperty("hawtio.localAddressProbing", "false");
        // No login unless HAWTIO_USERS names a users file: the server is bound to localhost (or
        // published only there), and the endpoints behind it accept only read, list, search and
        // the Camel views' operations (jolokia-access.xml).
        System.setProperty("hawtio.authenticationEnabled", "false");
        // Hawtio's own JVM serves a Jolokia agent too (/hawtio/jolokia): read-only, no operations.
        System.setProperty("jolokia.policyLocation", "classpath:/hawtio-jolokia-access.xml");
    }

    /**
     * Hawtio's own login, through JAAS ({@link UsersFileLoginModule}): each line of the users file
     * is {@code name: password,role,...}; a user needs the role {@code admin}.
     */
    private static void requireLogin(Path users) throws Exception {
        if (!Files.isReadable(users)) {
            throw new IllegalStateException("HAWTIO_USERS names " + users + ", which cannot be read");
        }
        Path jaas = Files.createTempFile("hawtio-jaas", ".conf");
        jaas.toFile().deleteOnExit();
        Files.writeString(jaas, "hawtio {\n  " + UsersFileLoginModule.class.getName() + " required file=\""
                + users.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\";\n};\n");
        System.setProperty("java.security.auth.login.config", jaas.toString());
        System.setProperty("hawtio.authenticationEnabled", "true");
        System.setProperty("hawtio.realm", "hawtio");
        System.setProperty("hawtio.roles", "admin");
        System.setProperty("hawtio.rolePrincipalClasses", UsersFileLoginModule.Role.class.getName());
    }

    private static Path besideThisJar(String name) throws Exception {
        return Path.of(codeSourceOf(HawtioServer.class)).getParent().resolve(name);
    }

    private static URI codeSourceOf(Class<?> type) throws Exception {
        return type.getProtectionDomain().getCodeSource().getLocation().toURI();
    }

    /** One preset connection: a name and the Jolokia URL of a running Blockferry. */
    record Connection(String name, String scheme, String host, int port, String path) {

        static List<Connection> parseAll(String spec) {
            List<Connection> all = new ArrayList<>();
            for (String entry : spec.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("HAWTIO_CONNECTIONS entry '" + entry + "' is not name=url");
                }
                URI uri = URI.create(entry.substring(eq + 1).trim());
                if (uri.getHost() == null || !Set.of("http", "https").contains(uri.getScheme())) {
                    throw new IllegalArgumentException("HAWTIO_CONNECTIONS entry '" + entry + "' needs an http(s)://host:port/path URL");
                }
                int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
                all.add(new Connection(entry.substring(0, eq).trim(), uri.getScheme(), uri.getHost(), port, uri.getPath()));
            }
            if (all.isEmpty()) {
                throw new IllegalArgumentException("HAWTIO_CONNECTIONS names no connection");
            }
            return all;
        }

        String url() {
            return scheme + "://" + host + ":" + port + path;
        }

        /** The shape Hawtio's Connect plugin stores under localStorage "connect.connections". */
        String json() {
            return String.format("{\"id\":%s,\"name\":%s,\"scheme\":%s,\"host\":%s,\"port\":%d,\"path\":%s}",
                    quote(name), quote(name), quote(scheme), quote(host), port, quote(path));
        }

        private static String quote(String s) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                out.append(Character.isLetterOrDigit(c) || "-_./:".indexOf(c) >= 0 ? String.valueOf(c)
                        : String.format("\\u%04x", (int) c));
            }
            return out.append('"').toString();
        }
    }

    /** Serves the landing page at exactly "/", from the template in this jar. */
    static final class LandingPage extends Handler.Abstract {
        private final ByteBuffer page;

        LandingPage(List<Connection> connections) throws Exception {
            StringBuilder json = new StringBuilder("{");
            for (Connection c : connections) {
                json.append(json.length() > 1 ? "," : "").append(Connection.quote(c.name())).append(':').append(c.json());
            }
            json.append('}');
            String template;
            try (var in = HawtioServer.class.getResourceAsStream("/landing.html")) {
                template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String html = template.replace("@CONNECTIONS@", json).replace("@FIRST@", Connection.quote(connections.get(0).name()));
            page = ByteBuffer.wrap(html.getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer();
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            if (!"/".equals(Request.getPathInContext(request))) {
                Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                return true;
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, page.slice(), callback);
            return true;
        }
    }
}
