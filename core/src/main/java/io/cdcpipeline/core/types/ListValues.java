package io.cdcpipeline.core.types;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Arrays as the sinks handle them: element by element. */
public final class ListValues {

    private ListValues() {
    }

    /**
     * The list with {@code each} applied to every element; the very same list when no element changed, so that a
     * caller can tell by identity whether anything did.
     */
    public static List<?> mapped(List<?> items, UnaryOperator<Object> each) {
        List<Object> changed = null;
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            Object mapped = each.apply(item);
            if (mapped != item && changed == null) {
                changed = new ArrayList<>(items);
            }
            if (changed != null) {
                changed.set(i, mapped);
            }
        }
        return changed == null ? items : changed;
    }
}
