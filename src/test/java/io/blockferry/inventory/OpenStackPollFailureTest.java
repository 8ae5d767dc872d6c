package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.BlockferryRuntime;
import io.blockferry.events.EventTypes;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TcpForwarder;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A wrong password, an unknown domain and a Keystone that does not answer: each gives a clear
 * error (an inventory-poll-failed event, the inventory's status), the poller keeps retrying with
 * backoff, and the inventory loaded from the state store is kept.
 */
@Tag("openstack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenStackPollFailureTest {

    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String WRONG_PASSWORD = "wrong-pw-" + UUID.randomUUID();

    private TestCloud demo;
    private String serverId;
    private Path data;

    @BeforeAll
    void pollOnceWithGoodCredentials() throws Exception {
        demo = TestCloud.demo();
        serverId = demo.bootFromImage("bf-fail-it-" + UUID.randomUUID().toString().substring(0, 8),
                demo.flavorId("bf.small"), demo.imageId("cirros-fake"));
        demo.awaitServer(serverId, "ACTIVE");
        data = Files.createTempDirectory("bf-openstack-fail-it");
        try (BlockferryRuntime runtime = start(Map.of())) {
            Await.until(() -> Beans.inventory(runtime).current(), i -> i.server(serverId).isPresent(), WAIT,
                    "the first inventory");
        }
    }

    @AfterAll
    void deleteServer() {
        if (demo != null) {
            demo.close();
        }
    }

    private BlockferryRuntime start(Map<String, String> more) {
        Map<String, String> s = new HashMap<>(demo.openrc);
        s.put("blockferry.openstack.enabled", "true");
        s.put("blockferry.openstack.poll-interval", "1h");
        s.put("blockferry.openstack.poll-retry-delay-ms", "200");
        s.put("blockferry.openstack.poll-retry-max-delay-ms", "1000");
        s.putAll(more);
        return TestRuntimes.start(data, s);
    }

    @Test
    void should_report_a_wrong_password_keep_retrying_and_keep_the_stored_inventory() {
        try (BlockferryRuntime runtime = start(Map.of("OS_PASSWORD", WRONG_PASSWORD));
             TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            assertTrue(Beans.inventory(runtime).current().server(serverId).isPresent(), "loaded before any poll");
            String message = awaitFailure(runtime, events, "Keystone refused user 'blockferry' of domain 'Default'");
            assertTrue(message.contains("check OS_PASSWORD"), message);
            assertFalse(message.contains(WRONG_PASSWORD), message);
            Await.until(() -> Beans.inventory(runtime).status().consecutiveFailures(), n -> n >= 3, WAIT, "three retries");
            assertTrue(Beans.inventory(runtime).current().server(serverId).isPresent(), "nothing inventoried is lost");
            assertEquals(1, Beans.inventory(runtime).mapping().disksOf(serverId).size());
            assertTrue(events.readToEnd(WAIT).stream().noneMatch(s -> new String(s.value(), StandardCharsets.UTF_8)
                    .contains(WRONG_PASSWORD)), "no event carries the password");
        }
    }

    @Test
    void should_report_an_unknown_domain() {
        try (BlockferryRuntime runtime = start(Map.of("blockferry.openstack.user-domain", "no-such-domain"));
             TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            awaitFailure(runtime, events, "domain 'no-such-domain'");
            assertTrue(Beans.inventory(runtime).current().server(serverId).isPresent());
        }
    }

    @Test
    void should_retry_while_keystone_does_not_answer_and_poll_again_once_it_does() throws Exception {
        try (TcpForwarder keystone = new TcpForwarder(5000);
             BlockferryRuntime runtime = start(Map.of("blockferry.openstack.auth-url",
                     "http://127.0.0.1:" + keystone.port() + "/v3"));
             TopicWatch events = TopicWatch.events(runtime.bootstrapServers())) {
            long loadedAt = Beans.inventory(runtime).current().polledAt().toEpochMilli();
            awaitFailure(runtime, events, "Keystone at http://127.0.0.1:" + keystone.port() + "/v3 did not answer");
            Await.until(() -> Beans.inventory(runtime).status().consecutiveFailures(), n -> n >= 2, WAIT, "retries");
            assertTrue(Beans.inventory(runtime).current().server(serverId).isPresent());

            keystone.open();
            InventoryService.Status recovered = Await.until(() -> Beans.inventory(runtime).status(),
                    st -> st.consecutiveFailures() == 0 && st.polledAtMillis() > loadedAt, WAIT, "a good poll");
            assertEquals(null, recovered.lastError());
            assertTrue(Beans.inventory(runtime).current().server(serverId).isPresent());
        }
    }

    /**
     * The message of the inventory-poll-failed event that says what is expected, which the
     * inventory's status repeats. (The data directory, and so the embedded Kafka's log, is shared
     * by the tests: earlier events of other failures are on the topic too.)
     */
    private static String awaitFailure(BlockferryRuntime runtime, TopicWatch events, String expected) {
        String message = events.await(s -> EventTypes.INVENTORY_POLL_FAILED.equals(s.json().path("type").asText())
                && s.json().path("message").asText().contains(expected), WAIT, "an inventory-poll-failed event saying "
                + expected).json().path("message").asText();
        String status = Await.until(() -> String.valueOf(Beans.inventory(runtime).status().lastError()),
                e -> e.contains(expected), WAIT, "the inventory's status");
        assertTrue(message.contains(status), message);
        return message;
    }
}
