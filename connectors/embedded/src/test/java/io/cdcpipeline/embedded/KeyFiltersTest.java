package io.cdcpipeline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.cdcpipeline.core.consistency.KeyColumns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyFiltersTest {

    @Test
    void aSingleColumnKeyBecomesAnInListWithTextQuotedAndNumbersBare() {
        assertThat(KeyFilters.of(new KeyColumns(List.of("id"), List.of(true)), List.of(List.of("1"), List.of("22")), 100))
                .containsExactly("\"id\" IN (1, 22)");
        assertThat(KeyFilters.of(new KeyColumns(List.of("code"), List.of(false)), List.of(List.of("o'neil")), 100))
                .containsExactly("\"code\" IN ('o''neil')");
    }

    @Test
    void aCompositeKeyBecomesATupleInListSplitToFitTheLimit() {
        KeyColumns key = new KeyColumns(List.of("order_id", "sku"), List.of(true, false));
        List<List<String>> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add(List.of(Integer.toString(i), "s" + i));
        }
        List<String> filters = KeyFilters.of(key, keys, 200);
        assertThat(filters).hasSizeGreaterThan(1).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(200));
        assertThat(filters.get(0)).startsWith("(\"order_id\", \"sku\") IN ((0, 's0'), (1, 's1')");
        assertThat(String.join(" ", filters)).contains("(49, 's49')");
        long tuples = filters.stream().mapToLong(f -> f.split("\\), \\(").length).sum();
        assertThat(tuples).as("every key in exactly one filter").isEqualTo(50);
    }

    @Test
    void aNumericColumnValueThatIsNotANumberIsQuotedNotInjected() {
        assertThat(KeyFilters.of(new KeyColumns(List.of("id"), List.of(true)), List.of(List.of("1) OR (1=1")), 100))
                .containsExactly("\"id\" IN ('1) OR (1=1')");
    }
}
