package io.cdcpipeline.transforms;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * Fills a new {@link Struct} with values that are valid for its schema by construction (copied from a validated
 * struct, or made by an action bound to the field's schema). {@link Struct#put} validates every value again, and for
 * a nested struct (an envelope's {@code source}, {@code after}) walks all of its fields: that re-validation was the
 * largest cost of protecting a record. Where the JVM lets us reach Struct's value array, values are stored directly;
 * where it does not (a module system that closes the package), this falls back to {@link Struct#put}.
 */
final class StructCopier {

    private static final VarHandle VALUES = valuesHandle();

    private StructCopier() {
    }

    private static VarHandle valuesHandle() {
        try {
            return MethodHandles.privateLookupIn(Struct.class, MethodHandles.lookup())
                    .findVarHandle(Struct.class, "values", Object[].class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Stores {@code value} in {@code field} of {@code out}; the caller guarantees it is valid for the field. */
    static void putValid(Struct out, Field field, Object value) {
        if (VALUES != null) {
            ((Object[]) VALUES.get(out))[field.index()] = value;
        } else {
            out.put(field, value);
        }
    }

    /** Whether values are stored directly (false: validated through {@link Struct#put}). */
    static boolean isDirect() {
        return VALUES != null;
    }
}
