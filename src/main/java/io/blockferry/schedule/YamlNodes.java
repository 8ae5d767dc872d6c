package io.blockferry.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads YAML nodes while keeping their line numbers, so every error in a policy file can name
 * the line and the key an operator has to fix.
 */
final class YamlNodes {

    private final String file;

    YamlNodes(String file) {
        this.file = file;
    }

    int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    PolicyFileException error(Node node, String key, String problem) {
        return new PolicyFileException(file + " line " + line(node) + ": key '" + key + "': " + problem);
    }

    /** The entries of a mapping by key, refusing keys outside {@code allowed} and duplicates. */
    Map<String, Node> mapping(Node node, String key, Set<String> allowed) {
        if (!(node instanceof MappingNode m)) {
            throw error(node, key, "expected a mapping of " + String.join(", ", allowed));
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            String name = scalar(t.getKeyNode(), key);
            if (!allowed.contains(name)) {
                throw error(t.getKeyNode(), name, "unknown key" + (key.isEmpty() ? "" : " in '" + key + "'")
                        + "; known keys are " + String.join(", ", allowed));
            }
            if (entries.put(name, t.getValueNode()) != null) {
                throw error(t.getKeyNode(), name, "appears twice");
            }
        }
        return entries;
    }

    String scalar(Node node, String key) {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, key, "expected a single value");
        }
        return s.getValue();
    }

    /** A list of values; a single value counts as a list of one. */
    List<String> strings(Node node, String key) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof ScalarNode s) {
            return s.getValue().isBlank() ? List.of() : List.of(s.getValue());
        }
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, key, "expected a list of values");
        }
        List<String> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            out.add(scalar(item, key));
        }
        return out;
    }

    List<Node> sequence(Node node, String key) {
        if (!(node instanceof SequenceNode seq)) {
            throw error(node, key, "expected a list");
        }
        return seq.getValue();
    }

    int integer(Node node, String key, int fallback, int min, int max) {
        if (node == null) {
            return fallback;
        }
        String text = scalar(node, key);
        try {
            int value = Integer.parseInt(text.trim());
            if (value < min || value > max) {
                throw error(node, key, value + " is out of range " + min + ".." + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw error(node, key, "'" + text + "' is not a whole number");
        }
    }
}
