package io.blockferry.config;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One configuration key: its name (a {@code *} stands for one name of the operator's choice, as in
 * {@code blockferry.backends.*.type}), type, default (null: none; empty: unset by default) and what
 * else its value must satisfy.
 *
 * @param rule      null, or a test of the parsed value
 * @param ruleText  what {@code rule} asks, completing "which is not ..." ("one of rbd" or "at least 1")
 */
public record ConfigKey(String name, ConfigType type, String defaultValue, Predicate<Object> rule, String ruleText) {

    private static final Pattern NAME_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    public static ConfigKey of(String name, ConfigType type, String defaultValue) {
        return new ConfigKey(name, type, defaultValue, null, null);
    }

    /** The same key, whose value must also be one of {@code choices} (compared ignoring case). */
    public ConfigKey oneOf(String... choices) {
        Set<String> allowed = Set.of(choices);
        return new ConfigKey(name, type, defaultValue,
                v -> allowed.stream().anyMatch(c -> c.equalsIgnoreCase(v.toString())), "one of " + String.join(", ", choices));
    }

    /** The same key, whose every list item must be one of {@code choices}. */
    public ConfigKey eachOf(String... choices) {
        List<String> allowed = List.of(choices);
        return new ConfigKey(name, type, defaultValue,
                v -> allowed.containsAll((List<?>) v), "made of " + String.join(", ", choices));
    }

    /** The same key, whose number (or size, or duration in ms) must be at least {@code min}. */
    public ConfigKey atLeast(long min) {
        return new ConfigKey(name, type, defaultValue, v -> asLong(v) >= min, "at least " + min);
    }

    public ConfigKey between(double min, double max) {
        return new ConfigKey(name, type, defaultValue, v -> ((Number) v).doubleValue() >= min
                && ((Number) v).doubleValue() <= max, "between " + min + " and " + max);
    }

    private static long asLong(Object v) {
        return v instanceof java.time.Duration d ? d.toMillis() : ((Number) v).longValue();
    }

    public boolean template() {
        return name.contains("*");
    }

    /** Whether {@code key} is this key, or an instance of this template. */
    public boolean matches(String key) {
        if (!template()) {
            return name.equals(key);
        }
        String[] want = name.split("\\.");
        String[] have = key.split("\\.", -1);
        if (want.length != have.length) {
            return false;
        }
        for (int i = 0; i < want.length; i++) {
            if (want[i].equals("*") ? !NAME_SEGMENT.matcher(have[i]).matches() : !want[i].equals(have[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether the environment variable {@code variable} sets this key (or an instance of this template). */
    public boolean matchesVariable(String variable) {
        String regex = Pattern.quote(Settings.environmentName(name)).replace("*", "\\E[A-Z0-9_]+\\Q");
        return variable.matches(regex);
    }
}
