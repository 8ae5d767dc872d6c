package io.blockferry.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.testing.Await;
import io.blockferry.testing.LocalCeph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The real OpenStack of scripts/openstack-dev.sh (which must be running), seen as one user: makes
 * volumes and servers for a test and deletes them all at close.
 */
final class TestCloud implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Servers without networks need compute 2.37; the volume entry keeps Cinder happy. */
    static final String NO_NETWORK_VERSIONS = "compute 2.37, volume 3.0";
    static final Path STATE = Path.of(System.getenv().getOrDefault("BLOCKFERRY_OPENSTACK_DIR",
            "/var/tmp/blockferry-openstack"));

    final Map<String, String> openrc;
    final OpenStackApi api;
    private final List<String> servers = new ArrayList<>();
    private final List<String> volumes = new ArrayList<>();

    TestCloud(Map<String, String> openrc) {
        this.openrc = Map.copyOf(openrc);
        this.api = new OpenStackApi(OpenStackSettings.fromEnvironment(openrc));
    }

    /** The demo user's cloud (member and admin of project blockferry-demo in domain Default). */
    static TestCloud demo() {
        return new TestCloud(openrc());
    }

    /** User other-user, member of other-project in domain blockferry-other. */
    static TestCloud otherDomain() {
        Map<String, String> env = new HashMap<>(openrc());
        env.put("OS_USERNAME", "other-user");
        env.put("OS_PASSWORD", password("other-user"));
        env.put("OS_USER_DOMAIN_NAME", "blockferry-other");
        env.put("OS_PROJECT_NAME", "other-project");
        env.put("OS_PROJECT_DOMAIN_NAME", "blockferry-other");
        return new TestCloud(env);
    }

    static String password(String user) {
        try {
            return Files.readString(STATE.resolve("secrets").resolve(user + ".pw")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("no password of " + user + ": is scripts/openstack-dev.sh set up?", e);
        }
    }

    String imageId(String name) {
        return api.get("image", "/v2/images?name=" + name).path("images").get(0).path("id").asText();
    }

    String flavorId(String name) {
        for (JsonNode flavor : api.get("compute", "/flavors").path("flavors")) {
            if (flavor.path("name").asText().equals(name)) {
                return flavor.path("id").asText();
            }
        }
        throw new IllegalStateException("no flavor " + name + ": is scripts/openstack-dev.sh set up?");
    }

    String createVolume(String name, String type, int sizeGb, String imageId) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode volume = body.putObject("volume").put("name", name).put("size", sizeGb).put("volume_type", type);
        if (imageId != null) {
            volume.put("imageRef", imageId);
        }
        String id = api.post("volumev3", "/volumes", body).path("volume").path("id").asText();
        volumes.add(id);
        return id;
    }

    String bootFromVolume(String name, String flavorId, String volumeId) {
        ObjectNode server = serverBody(name, flavorId);
        server.withArray("block_device_mapping_v2").addObject().put("boot_index", 0).put("uuid", volumeId)
                .put("source_type", "volume").put("destination_type", "volume").put("delete_on_termination", false);
        return createServer(server);
    }

    String bootFromImage(String name, String flavorId, String imageId) {
        return createServer(serverBody(name, flavorId).put("imageRef", imageId));
    }

    void attach(String serverId, String volumeId) {
        ObjectNode attach = JSON.createObjectNode();
        attach.putObject("volumeAttachment").put("volumeId", volumeId);
        api.post("compute", "/servers/" + serverId + "/os-volume_attachments", attach);
        awaitVolume(volumeId, "in-use");
    }

    void tag(String serverId, String tag) {
        api.put("compute", "/servers/" + serverId + "/tags/" + tag, null);
    }

    /** POST /servers/{id}/action, e.g. {"suspend": null}. */
    void action(String serverId, String action, JsonNode argument) {
        ObjectNode body = JSON.createObjectNode();
        body.set(action, argument == null ? JSON.nullNode() : argument);
        api.post("compute", "/servers/" + serverId + "/action", body);
    }

    /** Extends an attached volume (Cinder 3.42 extends in-use volumes). */
    void extend(String volumeId, int newSizeGb) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("os-extend").put("new_size", newSizeGb);
        api.send("volumev3", "POST", "/volumes/" + volumeId + "/action", body, "compute 2.26, volume 3.42");
        Await.until(() -> api.get("volumev3", "/volumes/" + volumeId).path("volume"),
                v -> v.path("size").asInt() == newSizeGb && !v.path("status").asText().startsWith("extending"),
                Duration.ofMinutes(3), "volume " + volumeId + " extended to " + newSizeGb + " GiB");
    }

    /** The volumes attached to a server, ordered by device name (the boot disk first). */
    List<String> attachedInDeviceOrder(String serverId) {
        List<JsonNode> attachments = new ArrayList<>();
        api.get("compute", "/servers/" + serverId + "/os-volume_attachments").path("volumeAttachments")
                .forEach(attachments::add);
        attachments.sort(java.util.Comparator.comparing(a -> a.path("device").asText()));
        return attachments.stream().map(a -> a.path("volumeId").asText()).toList();
    }

    /** The texts of a JSON array, in order. */
    static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.asText()));
        return values;
    }

    void awaitVolume(String id, String status) {
        await(() -> statusOr404("volumev3", "/volumes/" + id, "volume"), status, "volume " + id);
    }

    void awaitServer(String id, String status) {
        await(() -> statusOr404("compute", "/servers/" + id, "server"), status, "server " + id);
    }

    private static void await(java.util.function.Supplier<String> status, String wanted, String what) {
        String last = Await.until(status, s -> s.equals(wanted) || s.equalsIgnoreCase("error") && !wanted.equalsIgnoreCase("error"),
                Duration.ofMinutes(4), what + " " + wanted);
        if (!last.equals(wanted)) {
            throw new IllegalStateException(what + " is " + last + ", not " + wanted);
        }
    }

    private ObjectNode serverBody(String name, String flavorId) {
        return JSON.createObjectNode().put("name", name).put("flavorRef", flavorId).put("networks", "none");
    }

    private String createServer(ObjectNode server) {
        ObjectNode body = JSON.createObjectNode();
        body.set("server", server);
        String id = api.send("compute", "POST", "/servers", body, NO_NETWORK_VERSIONS).path("server").path("id").asText();
        servers.add(id);
        return id;
    }

    private String statusOr404(String service, String path, String field) {
        try {
            return api.get(service, path).path(field).path("status").asText();
        } catch (OpenStackException e) {
            if (e.httpStatus() == 404) {
                return "gone";
            }
            throw e;
        }
    }

    /**
     * Takes over, for deletion at close, the servers and volumes named with this prefix that
     * something else made (a restore), even when it failed half way.
     */
    void adoptByPrefix(String prefix) {
        for (JsonNode s : api.get("compute", "/servers?name=%5E" + prefix).path("servers")) {
            if (!servers.contains(s.path("id").asText())) {
                servers.add(s.path("id").asText());
            }
        }
        for (JsonNode v : api.get("volumev3", "/volumes").path("volumes")) {
            if (v.path("name").asText().startsWith(prefix) && !volumes.contains(v.path("id").asText())) {
                volumes.add(v.path("id").asText());
            }
        }
    }

    /** Deletes every server and volume this cloud made; a failure is printed, the others go on. */
    @Override
    public void close() {
        for (String id : servers) {
            quietly(() -> api.delete("compute", "/servers/" + id));
        }
        for (String id : servers) {
            quietly(() -> awaitServer(id, "gone"));
        }
        for (String id : volumes) {
            quietly(() -> Await.until(() -> statusOr404("volumev3", "/volumes/" + id, "volume"),
                    s -> Set.of("available", "error", "gone").contains(s), Duration.ofMinutes(2), "volume " + id + " free"));
            quietly(() -> api.delete("volumev3", "/volumes/" + id));
        }
    }

    private static void quietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | AssertionError e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    /** The OS_* variables that scripts/openstack-dev.sh env exports for user blockferry. */
    static Map<String, String> openrc() {
        Map<String, String> env = new HashMap<>();
        for (String line : run("bash", "scripts/openstack-dev.sh", "env").split("\n")) {
            if (line.startsWith("export ")) {
                String[] kv = line.substring(7).split("=", 2);
                env.put(kv[0], unquote(kv[1]));
            }
        }
        return env;
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                || value.startsWith("\"") && value.endsWith("\""));
        return quoted ? value.substring(1, value.length() - 1) : value;
    }

    static String run(String... command) {
        return LocalCeph.run(List.of(command), 120);
    }
}
