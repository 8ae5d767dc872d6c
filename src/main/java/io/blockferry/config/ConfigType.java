package io.blockferry.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * How a configuration value is written and read. Each type parses the text of a value or throws
 * {@link IllegalArgumentException}; {@link #expected} completes "which is not ..." in errors.
 */
public enum ConfigType {
    STRING("any text", v -> v),
    /** Text that is never shown: errors name the key, never the value. */
    PASSWORD("any text", v -> v),
    INT("a whole number", Integer::parseInt),
    LONG("a whole number", Long::parseLong),
    DOUBLE("a number such as 0.001", Double::parseDouble),
    BOOLEAN("true or false", ConfigType::bool),
    BYTES(Units.SIZE_EXAMPLE, Units::bytes),
    DURATION(Units.DURATION_EXAMPLE, Units::duration),
    PATH("a file or directory path", Path::of),
    /** Items separated by commas: {@code a,b,c} (blanks around items are dropped). */
    LIST("a comma-separated list such as a,b", ConfigType::list),
    /** {@code key=value} items separated by commas: {@code volumes=8,vms=4}. */
    PAIRS("comma-separated key=value pairs such as a=1,b=2", Pairs::parse);

    private final String expected;
    private final Function<String, Object> parser;

    ConfigType(String expected, Function<String, Object> parser) {
        this.expected = expected;
        this.parser = parser;
    }

    public String expected() {
        return expected;
    }

    /** The parsed value of {@code text}, or an {@link IllegalArgumentException}. */
    public Object parse(String text) {
        return parser.apply(text.trim());
    }

    public boolean secret() {
        return this == PASSWORD;
    }

    private static Boolean bool(String v) {
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("not a boolean");
        }
        return Boolean.parseBoolean(v);
    }

    /** The items of a comma-separated list, trimmed, empty ones dropped. */
    public static List<String> list(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
