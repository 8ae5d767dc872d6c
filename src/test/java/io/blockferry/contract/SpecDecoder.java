package io.blockferry.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A chunk-frame decoder that knows nothing but the tables of {@code docs/contract/chunk-records.md}:
 * it reads each section's field table (field, type, when) and walks a frame with it. It does not
 * use Blockferry's codec, so a frame it cannot decode, or decodes differently, means the document
 * and the code disagree.
 */
final class SpecDecoder {

    /** One row of a layout table. */
    record Field(String name, String type, String when) {
    }

    /** A decoded frame: each field's value (Long, String or byte[]) and where it started in the frame. */
    record Decoded(Map<String, Object> values, Map<String, Integer> offsets, int length) {
        long number(String field) {
            return (Long) values.get(field);
        }

        String text(String field) {
            return (String) values.get(field);
        }

        byte[] bytes(String field) {
            return (byte[]) values.get(field);
        }

        boolean has(String field) {
            return values.containsKey(field);
        }
    }

    private static final Pattern HEADING = Pattern.compile("^(#+) (.+)$");
    private static final Pattern ROW = Pattern.compile("^\\|\\s*([A-Za-z][A-Za-z0-9]*)\\s*\\|\\s*([^|]+?)\\s*\\|\\s*([^|]+?)\\s*\\|.*\\|$");
    private static final Pattern BYTES = Pattern.compile("bytes\\((\\w+)\\)");
    private static final Pattern VERSION_AT_LEAST = Pattern.compile("version >= (\\d+)");
    private static final Pattern FLAG = Pattern.compile("flags & (\\d+)");

    private final Map<String, List<Field>> sections;

    private SpecDecoder(Map<String, List<Field>> sections) {
        this.sections = sections;
    }

    static SpecDecoder read(Path markdown) {
        try {
            Map<String, List<Field>> sections = new LinkedHashMap<>();
            String section = null;
            for (String line : Files.readAllLines(markdown, StandardCharsets.UTF_8)) {
                Matcher heading = HEADING.matcher(line);
                if (heading.matches()) {
                    // layout tables sit under level-3 headings; any other heading ends a section
                    section = heading.group(1).length() == 3 ? heading.group(2).trim() : null;
                    continue;
                }
                Matcher row = ROW.matcher(line.trim());
                if (section != null && row.matches() && !row.group(1).equals("field")) {
                    sections.computeIfAbsent(section, k -> new ArrayList<>())
                            .add(new Field(row.group(1), row.group(2), row.group(3)));
                }
            }
            for (String needed : List.of("Common header", "BEGIN (type 1)", "DATA (type 2)", "ZERO (type 3)",
                    "END (type 4)", "Trailer")) {
                if (!sections.containsKey(needed)) {
                    throw new AssertionError(markdown + " has no layout table under '### " + needed + "'");
                }
            }
            return new SpecDecoder(sections);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Field> section(String name) {
        return sections.get(name);
    }

    /** Decodes a frame; fails (AssertionError) if it does not follow the tables exactly, to its last byte. */
    Decoded decode(byte[] frame) {
        ByteBuffer in = ByteBuffer.wrap(frame);
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, Integer> offsets = new LinkedHashMap<>();
        walk(section("Common header"), in, values, offsets);
        long type = (Long) values.get("type");
        String body = switch ((int) type) {
            case 1 -> "BEGIN (type 1)";
            case 2 -> "DATA (type 2)";
            case 3 -> "ZERO (type 3)";
            case 4 -> "END (type 4)";
            default -> throw new AssertionError("type " + type + " is not in the document");
        };
        walk(section(body), in, values, offsets);
        walk(section("Trailer"), in, values, offsets);
        if (in.hasRemaining()) {
            throw new AssertionError(in.remaining() + " bytes left after the trailer the document describes");
        }
        return new Decoded(values, offsets, frame.length);
    }

    private static void walk(List<Field> fields, ByteBuffer in, Map<String, Object> values,
                             Map<String, Integer> offsets) {
        for (Field f : fields) {
            if (!holds(f.when(), values)) {
                continue;
            }
            offsets.put(f.name(), in.position());
            Object value = switch (f.type()) {
                case "u8" -> (long) Byte.toUnsignedInt(in.get());
                case "u16" -> (long) Short.toUnsignedInt(in.getShort());
                case "u32" -> Integer.toUnsignedLong(in.getInt());
                case "i32" -> (long) in.getInt();
                case "i64" -> in.getLong();
                case "string" -> {
                    byte[] b = new byte[Short.toUnsignedInt(in.getShort())];
                    in.get(b);
                    yield new String(b, StandardCharsets.UTF_8);
                }
                default -> {
                    Matcher m = BYTES.matcher(f.type());
                    if (!m.matches()) {
                        throw new AssertionError("type '" + f.type() + "' of " + f.name() + " is not defined");
                    }
                    int n = m.group(1).chars().allMatch(Character::isDigit) ? Integer.parseInt(m.group(1))
                            : (int) (long) (Long) values.get(m.group(1));
                    byte[] b = new byte[n];
                    in.get(b);
                    yield b;
                }
            };
            values.put(f.name(), value);
        }
    }

    private static boolean holds(String when, Map<String, Object> values) {
        if (when.equals("always")) {
            return true;
        }
        Matcher version = VERSION_AT_LEAST.matcher(when);
        if (version.matches()) {
            return (Long) values.get("version") >= Long.parseLong(version.group(1));
        }
        Matcher flag = FLAG.matcher(when);
        if (flag.matches()) {
            Object flags = values.get("flags");
            return flags != null && ((Long) flags & Long.parseLong(flag.group(1))) != 0;
        }
        throw new AssertionError("condition '" + when + "' is not understood");
    }
}
