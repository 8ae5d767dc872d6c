package io.blockferry.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one syntax of key=value lists in the configuration: {@code a=1,b=2}, in order, blanks
 * around keys and values dropped. A key given twice is an error, as is an item without '='.
 */
public final class Pairs {

    private Pairs() {
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String item : ConfigType.list(text)) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("'" + item + "' is not key=value");
            }
            String key = item.substring(0, eq).trim();
            if (pairs.put(key, item.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("'" + key + "' is given twice");
            }
        }
        return pairs;
    }
}
