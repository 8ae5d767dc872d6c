package io.blockferry.contract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Writes the worked example of chunk-records.md from real frames, annotated field by field with the document's tables. */
final class Examples {

    private Examples() {
    }

    static void write(Path doc, SpecDecoder spec, List<byte[]> generation) throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("Example key id `").append(ContractTest.EXAMPLE_KEY_ID).append("`, key file content (base64 of the bytes 0 to 31): `")
                .append(Base64.getEncoder().encodeToString(ContractTest.EXAMPLE_KEY)).append("`.\n")
                .append("Its record MAC key is HMAC-SHA256(that key, `blockferry-record-mac-v1`).\n\n");
        boolean dataShown = false;
        boolean zeroShown = false;
        for (byte[] frame : generation) {
            SpecDecoder.Decoded d = spec.decode(frame);
            long type = d.number("type");
            if (type == 2 && (dataShown || frame.length > 400) || type == 3 && zeroShown) {
                continue;
            }
            dataShown |= type == 2;
            zeroShown |= type == 3;
            String name = switch ((int) type) {
                case 1 -> "BEGIN";
                case 2 -> "DATA";
                case 3 -> "ZERO";
                default -> "END";
            };
            out.append("#### ").append(name).append(" (generation ").append(d.number("generation")).append(", seq ")
                    .append(d.number("seq")).append("), ").append(frame.length).append(" bytes\n\n```hex\n");
            for (int i = 0; i < frame.length; i += 16) {
                out.append(HexFormat.ofDelimiter(" ").formatHex(frame, i, Math.min(frame.length, i + 16))).append('\n');
            }
            out.append("```\n\n| offset | bytes | field | value |\n| --- | --- | --- | --- |\n");
            List<Map.Entry<String, Integer>> fields = new ArrayList<>(d.offsets().entrySet());
            for (int i = 0; i < fields.size(); i++) {
                String field = fields.get(i).getKey();
                int from = fields.get(i).getValue();
                int to = i + 1 < fields.size() ? fields.get(i + 1).getValue() : frame.length;
                String bytes = to - from > 12 ? HexFormat.of().formatHex(frame, from, from + 8) + "… (" + (to - from)
                        + " bytes)" : HexFormat.of().formatHex(frame, from, to);
                Object value = d.values().get(field);
                String shown = value instanceof byte[] b ? (field.equals("keyId") ? new String(b, StandardCharsets.US_ASCII)
                        : b.length > 12 ? HexFormat.of().formatHex(b, 0, 8) + "…" : HexFormat.of().formatHex(b))
                        : value instanceof String s ? "\"" + s + "\"" : field.equals("magic") || field.endsWith("Crc")
                        || field.equals("crc32c") ? String.format("0x%08x", (Long) value) : String.valueOf(value);
                out.append("| ").append(from).append(" | `").append(bytes).append("` | ").append(field).append(" | ")
                        .append(shown).append(" |\n");
            }
            out.append('\n');
        }
        String text = Files.readString(doc);
        int begin = text.indexOf("<!-- EXAMPLES-BEGIN -->");
        int end = text.indexOf("<!-- EXAMPLES-END -->");
        Files.writeString(doc, text.substring(0, begin) + "<!-- EXAMPLES-BEGIN -->\n\n" + out + text.substring(end));
    }
}
