package io.blockferry.transport;

import io.blockferry.config.Settings;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The Kafka client settings every client Blockferry makes shares: its producers and consumers,
 * Camel's Kafka endpoints and the topic admin client. They are the keys under
 * {@value #PREFIX}, passed to Kafka unchanged with the prefix taken off
 * ({@code blockferry.kafka.client.security.protocol=SASL_SSL} is Kafka's {@code security.protocol}),
 * so any client option Kafka documents works: TLS with a CA and a client certificate, SASL SCRAM or
 * PLAIN, and whatever comes next. They are applied last, over Blockferry's own tuning.
 *
 * <p>Values are never logged or put in a message: {@link #toString()} names the keys only.
 */
public final class KafkaClientConfig {

    /** The prefix of the keys passed through to every Kafka client. */
    public static final String PREFIX = "blockferry.kafka.client.";

    private static final KafkaClientConfig NONE = new KafkaClientConfig(Map.of());

    private final Map<String, String> properties;

    private KafkaClientConfig(Map<String, String> properties) {
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** The keys under {@value #PREFIX} in the settings (file, environment and overrides). */
    public static KafkaClientConfig from(Settings settings) {
        return new KafkaClientConfig(settings.prefixed(PREFIX));
    }

    public static KafkaClientConfig of(Map<String, String> properties) {
        return new KafkaClientConfig(properties);
    }

    /** No security settings: PLAINTEXT, as Kafka's clients default to. */
    public static KafkaClientConfig none() {
        return NONE;
    }

    /** The Kafka client keys and values, without the prefix. */
    public Map<String, String> properties() {
        return properties;
    }

    /** Puts these settings into a client's properties, over what is there. */
    public <M extends Map<Object, Object>> M applyTo(M clientProperties) {
        clientProperties.putAll(properties);
        return clientProperties;
    }

    /** Kafka's {@code security.protocol} of these settings (PLAINTEXT when not set). */
    public String securityProtocol() {
        return properties.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
    }

    /**
     * One line saying which setting to fix when Kafka refused this client's TLS or SASL credentials,
     * or null when {@code failure} is not such a refusal. It never holds a configured value.
     */
    public static String explainRefusal(Throwable failure, String bootstrapServers) {
        Throwable auth = find(failure, AuthenticationException.class);
        if (auth == null) {
            return null;
        }
        String kafka = "Kafka at " + bootstrapServers;
        if (auth instanceof SaslAuthenticationException || !(auth instanceof SslAuthenticationException)) {
            return kafka + " refused Blockferry's SASL credentials (" + firstLine(auth) + "): check the user and "
                    + "password in " + PREFIX + "sasl.jaas.config and the mechanism in " + PREFIX + "sasl.mechanism";
        }
        if (find(failure, CertPathValidatorException.class) != null || mentions(failure, "PKIX")
                || mentions(failure, "unable to find valid certification path")) {
            return kafka + " presented a TLS certificate that this proxy does not trust (" + rootMessage(failure)
                    + "): put the CA that signed the brokers' certificates in " + PREFIX + "ssl.truststore.location "
                    + "(with " + PREFIX + "ssl.truststore.type and .password), or " + PREFIX
                    + "ssl.truststore.certificates";
        }
        if (mentions(failure, "subject alternative") || mentions(failure, "No name matching")) {
            return kafka + " presented a TLS certificate for another host name (" + rootMessage(failure)
                    + "): connect by a name the certificate holds, or see " + PREFIX
                    + "ssl.endpoint.identification.algorithm";
        }
        if (find(failure, CertificateException.class) != null) {
            return kafka + " presented a TLS certificate this proxy refused (" + rootMessage(failure) + "): check "
                    + PREFIX + "ssl.truststore.location";
        }
        return kafka + " refused the TLS connection (" + rootMessage(failure) + "): when the brokers require a client "
                + "certificate, set " + PREFIX + "ssl.keystore.location (and .password, .type) to one signed by a CA "
                + "they trust; also check " + PREFIX + "security.protocol";
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static boolean mentions(Throwable failure, String text) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains(text)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return firstLine(root);
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The keys set, never their values. */
    @Override
    public String toString() {
        return properties.isEmpty() ? "PLAINTEXT (no " + PREFIX + "* keys)"
                : properties.keySet().stream().map(k -> PREFIX + k).collect(Collectors.joining(", "));
    }
}
