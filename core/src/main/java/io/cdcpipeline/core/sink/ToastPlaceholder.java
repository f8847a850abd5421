package io.cdcpipeline.core.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Recognises Debezium's stand-in for an unchanged TOASTed column (REPLICA IDENTITY DEFAULT): the placeholder text,
 * its bytes, a one-element list of either, a list of its bytes as numbers (int and bigint arrays), or a map from
 * it to itself (hstore).
 */
public final class ToastPlaceholder {

    private final String text;
    private final byte[] bytes;

    public ToastPlaceholder(String text) {
        this.text = text;
        this.bytes = text.getBytes(StandardCharsets.UTF_8);
    }

    public boolean matches(Object raw) {
        if (raw == null) {
            return false;
        }
        if (raw instanceof String s) {
            return s.equals(text);
        }
        if (raw instanceof byte[] b) {
            return Arrays.equals(b, bytes);
        }
        if (raw instanceof ByteBuffer buffer) {
            return buffer.remaining() == bytes.length && buffer.duplicate().equals(ByteBuffer.wrap(bytes));
        }
        if (raw instanceof List<?> list) {
            if (list.size() == 1 && !(list.get(0) instanceof Number)) {
                return matches(list.get(0));
            }
            return list.size() == bytes.length && numbersSpellPlaceholder(list);
        }
        if (raw instanceof Map<?, ?> map) {
            return map.size() == 1 && text.equals(map.get(text));
        }
        return false;
    }

    private boolean numbersSpellPlaceholder(List<?> list) {
        for (int i = 0; i < bytes.length; i++) {
            if (!(list.get(i) instanceof Number n) || n.longValue() != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
