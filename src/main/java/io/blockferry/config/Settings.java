package io.blockferry.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blockferry's configuration: {@code config/application.properties}, where any key can be
 * overridden from the environment the way Camel does it ({@code blockferry.kafka.bootstrap-servers}
 * by {@code BLOCKFERRY_KAFKA_BOOTSTRAP_SERVERS}), or by an explicit override (tests, the demo).
 */
public final class Settings {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^}]+)}}");

    private final Properties file;
    private final String fileName;
    private final Map<String, String> environment;
    private final Map<String, String> overrides;

    private Settings(Properties file, String fileName, Map<String, String> environment, Map<String, String> overrides) {
        this.file = file;
        this.fileName = fileName;
        this.environment = environment;
        this.overrides = overrides;
    }

    public static Settings load(Path propertiesFile, Map<String, String> overrides) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(propertiesFile)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read the configuration file " + propertiesFile.toAbsolutePath()
                    + " (" + e.getMessage() + "): run from the project directory or set BLOCKFERRY_CONFIG");
        }
        return new Settings(properties, propertiesFile.toString(), System.getenv(), new HashMap<>(overrides));
    }

    /** Settings from given parts, with a given environment (tests). */
    static Settings of(Properties file, Map<String, String> environment, Map<String, String> overrides) {
        return new Settings(file, "application.properties", environment, new HashMap<>(overrides));
    }

    /**
     * The value after overrides, the environment, the file and the key's declared default (see
     * {@link BlockferryKeys}), with {{key}} placeholders resolved.
     */
    public Optional<String> find(String key) {
        String raw = overrides.get(key);
        if (raw == null) {
            raw = environment.get(environmentName(key));
        }
        if (raw == null) {
            raw = file.getProperty(key);
        }
        if (raw == null && key.startsWith("blockferry.")) {
            raw = BlockferryKeys.DEFINITION.find(key).map(ConfigKey::defaultValue).orElse(null);
        }
        if (raw == null) {
            return Optional.empty();
        }
        raw = resolvePlaceholders(raw.trim());
        return raw.isEmpty() ? Optional.empty() : Optional.of(raw);
    }

    public String text(String key) {
        return find(key).orElseThrow(() -> missing(key));
    }

    public String text(String key, String fallback) {
        return find(key).orElse(fallback);
    }

    public int integer(String key) {
        String value = text(key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw invalid(key, value, "a whole number");
        }
    }

    public boolean flag(String key) {
        String value = text(key);
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw invalid(key, value, "true or false");
        }
        return Boolean.parseBoolean(value);
    }

    /** As {@link #flag(String)}, or {@code fallback} when the key is not set (keys of named backends). */
    public boolean flag(String key, boolean fallback) {
        return find(key).isPresent() ? flag(key) : fallback;
    }

    /** A size such as {@code 1M}, {@code 4MiB} or {@code 65536}; K, M, G and T are powers of 1024. */
    public long bytes(String key) {
        return parsed(key, Units::bytes, Units.SIZE_EXAMPLE);
    }

    /** A duration such as {@code 30s}, {@code 5m} or {@code 1h}. */
    public Duration duration(String key) {
        return parsed(key, Units::duration, Units.DURATION_EXAMPLE);
    }

    private <T> T parsed(String key, Function<String, T> parser, String expected) {
        String value = text(key);
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, expected);
        }
    }

    /** A comma-separated list (see {@link ConfigType#LIST}); empty when the key is unset. */
    public java.util.List<String> list(String key) {
        return find(key).map(ConfigType::list).orElse(java.util.List.of());
    }

    /** Comma-separated key=value pairs (see {@link Pairs}), in order; empty when the key is unset. */
    public Map<String, String> pairs(String key) {
        String value = find(key).orElse("");
        try {
            return Pairs.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid(key, value, ConfigType.PAIRS.expected() + " (" + e.getMessage() + ")");
        }
    }

    public Path path(String key) {
        return Path.of(text(key));
    }

    /** Everything Camel should see: the file's keys with overrides applied. */
    public Map<String, String> overridesForCamel() {
        Map<String, String> all = new HashMap<>();
        for (String key : file.stringPropertyNames()) {
            find(key).ifPresent(v -> all.put(key, v));
        }
        overrides.forEach((k, v) -> all.put(k, resolvePlaceholders(v)));
        return all;
    }

    /**
     * Every key set in the file or by an override, and the keys a backend's environment variables
     * name ({@code BLOCKFERRY_BACKENDS_DR_SITE_TYPE} is {@code blockferry.backends.dr-site.type}).
     */
    public java.util.Set<String> keys() {
        java.util.Set<String> keys = new java.util.TreeSet<>(file.stringPropertyNames());
        keys.addAll(overrides.keySet());
        for (String variable : environment.keySet()) {
            if (variable.startsWith("BLOCKFERRY_BACKENDS_") && variable.endsWith("_TYPE")) {
                String name = variable.substring("BLOCKFERRY_BACKENDS_".length(), variable.length() - "_TYPE".length());
                keys.add("blockferry.backends." + name.toLowerCase(Locale.ROOT).replace('_', '-') + ".type");
            }
        }
        return keys;
    }

    /**
     * Every key under {@code prefix} (from overrides, the environment and the file, in that order of
     * precedence), with the prefix taken off. An environment variable {@code PREFIX_SSL_TRUSTSTORE_LOCATION}
     * gives the key {@code ssl.truststore.location}: the rest of its name lower-cased, '_' read as '.'
     * (the keys passed through this way, Kafka's, are written with dots only).
     */
    public Map<String, String> prefixed(String prefix) {
        Map<String, String> found = new java.util.TreeMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                found.put(key.substring(prefix.length()), file.getProperty(key));
            }
        }
        String envPrefix = environmentName(prefix);
        environment.forEach((name, value) -> {
            if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                found.put(name.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        overrides.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                found.put(key.substring(prefix.length()), value);
            }
        });
        Map<String, String> resolved = new java.util.TreeMap<>();
        found.forEach((key, value) -> {
            String v = value == null ? "" : resolvePlaceholders(value.trim());
            if (!v.isEmpty()) {
                resolved.put(key, v);
            }
        });
        return resolved;
    }

    /** Where {@code key}'s value comes from, for messages: "in FILE", "from the environment variable X" or "set by the caller". */
    public String origin(String key) {
        if (overrides.containsKey(key)) {
            return "set by the caller";
        }
        if (environment.containsKey(environmentName(key))) {
            return "from the environment variable " + environmentName(key);
        }
        if (file.containsKey(key)) {
            return "in " + fileName;
        }
        return "by default";
    }

    /** How to change {@code key}: where it is set now, or the file and its variable. */
    public String whereToFix(String key) {
        if (environment.containsKey(environmentName(key)) && !overrides.containsKey(key)) {
            return "fix the environment variable " + environmentName(key);
        }
        return "fix it in " + fileName + " or set " + environmentName(key);
    }

    /** The keys set in the file and by overrides (not the environment's). */
    public java.util.Set<String> explicitKeys() {
        java.util.Set<String> keys = new java.util.TreeSet<>(file.stringPropertyNames());
        keys.addAll(overrides.keySet());
        return keys;
    }

    /** The environment variables whose name starts with {@code prefix}. */
    public java.util.Set<String> variables(String prefix) {
        return environment.keySet().stream().filter(v -> v.startsWith(prefix))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    public String fileName() {
        return fileName;
    }

    public Settings with(String key, String value) {
        Map<String, String> more = new HashMap<>(overrides);
        more.put(key, value);
        return new Settings(file, fileName, environment, more);
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private String resolvePlaceholders(String value) {
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(find(m.group(1)).orElseThrow(() -> missing(m.group(1)))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private ConfigurationException missing(String key) {
        return new ConfigurationException("configuration key '" + key + "' is not set: set it in "
                + fileName + " or the environment variable " + environmentName(key));
    }

    private ConfigurationException invalid(String key, String value, String expected) {
        return new ConfigurationException(invalidMessage(key, value, expected));
    }

    /** The message of an invalid value of {@code key}: {@code expected} completes "which is not ...". */
    public String invalidValue(String key, String value, String expected) {
        return invalidMessage(key, value, expected);
    }

    /** "configuration key K (in FILE) has the value V, which is not E: fix it ..."; a secret's value is not shown. */
    String invalidMessage(String key, String value, String expected) {
        boolean secret = BlockferryKeys.DEFINITION.find(key).map(k -> k.type().secret()).orElse(false);
        return "configuration key '" + key + "' (" + origin(key) + ") has " + (secret ? "a value" : "the value '"
                + value + "'") + ", which is not " + expected + ": " + whereToFix(key);
    }
}
