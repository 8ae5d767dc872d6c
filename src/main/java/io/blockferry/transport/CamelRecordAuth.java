package io.blockferry.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.events.EventTypes;
import io.blockferry.security.JsonRecordAuth;
import io.blockferry.security.UnauthenticatedRecordException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Camel glue of {@link JsonRecordAuth}: signs a JSON record just before a route sends it to Kafka,
 * and admits a received one only when it is authentic; one that is not goes to the dead letters
 * unchanged (with an event) and the route does not act on it. On the events channel only the
 * events Blockferry obeys are checked ({@code resync-requested}); it acts on no other.
 */
public final class CamelRecordAuth {

    private static final Set<String> OBEYED_EVENTS = Set.of(EventTypes.RESYNC_REQUESTED);

    private final JsonRecordAuth auth;
    private final KafkaChunkConsumer.DeadLetters deadLetters;
    private final ObjectMapper json = new ObjectMapper();

    public CamelRecordAuth(JsonRecordAuth auth, KafkaChunkConsumer.DeadLetters deadLetters) {
        this.auth = auth;
        this.deadLetters = deadLetters;
    }

    /** Called by a route after its marshal step: the body becomes the exact bytes that are signed and sent. */
    public void sign(Exchange exchange, String channel) {
        Message message = exchange.getMessage();
        byte[] value = message.getBody(byte[].class);
        message.setBody(value);
        auth.sign(channel, message.getHeader(KafkaConstants.KEY, String.class), value).forEach(message::setHeader);
    }

    /** Whether a received record may be acted on; if not, it has been dead-lettered. */
    public boolean admit(Exchange exchange, String channel) {
        Message message = exchange.getMessage();
        byte[] value = message.getBody(byte[].class);
        String key = message.getHeader(KafkaConstants.KEY, String.class);
        if (JsonRecordAuth.EVENTS.equals(channel) && !obeyed(value)) {
            return true;
        }
        try {
            auth.verify(channel, key, value, text(message.getHeader(JsonRecordAuth.KEY_ID_HEADER)),
                    text(message.getHeader(JsonRecordAuth.SIGNATURE_HEADER)));
            return true;
        } catch (UnauthenticatedRecordException e) {
            deadLetters.send(key, value, e);
            return false;
        }
    }

    private boolean obeyed(byte[] value) {
        try {
            JsonNode node = json.readTree(value);
            return node != null && OBEYED_EVENTS.contains(node.path("type").asText());
        } catch (IOException e) {
            return false;
        }
    }

    private static String text(Object header) {
        if (header instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return header == null ? null : header.toString();
    }
}
