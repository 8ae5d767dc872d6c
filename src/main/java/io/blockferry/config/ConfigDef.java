package io.blockferry.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * The keys a configuration may set: named keys, templates ({@code blockferry.backends.*.type}) and
 * pass-through prefixes whose rest is another program's key ({@code blockferry.kafka.client.} and
 * Kafka's client keys). Anything else under the root prefix is an unknown key.
 */
public final class ConfigDef {

    /** A prefix whose keys are handed on unchanged; {@code names} are the keys allowed after it (null: any). */
    public record PassThrough(String prefix, Set<String> names, String whose) {
    }

    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();
    private final List<ConfigKey> templates = new ArrayList<>();
    private final List<PassThrough> passThroughs = new ArrayList<>();
    private final Set<String> internal = new java.util.HashSet<>();

    public ConfigDef define(ConfigKey key) {
        if (key.template()) {
            templates.add(key);
        } else if (keys.putIfAbsent(key.name(), key) != null) {
            throw new IllegalArgumentException(key.name() + " is defined twice");
        }
        return this;
    }

    /** A key Blockferry sets for itself (never in the shipped file). */
    public ConfigDef defineInternal(ConfigKey key) {
        internal.add(key.name());
        return define(key);
    }

    public ConfigDef passThrough(String prefix, Set<String> names, String whose) {
        passThroughs.add(new PassThrough(prefix, names, whose));
        return this;
    }

    /** The definition of {@code key}: itself or the template it is an instance of. */
    public Optional<ConfigKey> find(String key) {
        ConfigKey named = keys.get(key);
        if (named != null) {
            return Optional.of(named);
        }
        return templates.stream().filter(t -> t.matches(key)).findFirst();
    }

    public Optional<PassThrough> passThroughOf(String key) {
        return passThroughs.stream().filter(p -> key.startsWith(p.prefix()) && key.length() > p.prefix().length())
                .findFirst();
    }

    /** The named keys that the shipped configuration file lists, in order. */
    public List<ConfigKey> shipped() {
        return keys.values().stream().filter(k -> !internal.contains(k.name())).toList();
    }

    /** Every named key (internal ones too) and every template. */
    public List<ConfigKey> all() {
        List<ConfigKey> all = new ArrayList<>(keys.values());
        all.addAll(templates);
        return all;
    }

    public List<ConfigKey> templates() {
        return List.copyOf(templates);
    }

    public List<PassThrough> passThroughs() {
        return List.copyOf(passThroughs);
    }

    /** The known name nearest to {@code unknown} (a misspelling's likely intent), if one is near enough. */
    public Optional<String> closest(String unknown) {
        List<String> candidates = new ArrayList<>(keys.keySet());
        templates.forEach(t -> candidates.add(t.name()));
        return nearest(unknown, candidates, Function.identity());
    }

    /** The name among {@code names} nearest to {@code unknown} within a third of its length. */
    public static Optional<String> nearest(String unknown, java.util.Collection<String> names, Function<String, String> shown) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        return names.stream().min(Comparator.comparingInt(n -> distance.apply(unknown, n)))
                .filter(n -> distance.apply(unknown, n) <= Math.max(2, unknown.length() / 3)).map(shown);
    }
}
