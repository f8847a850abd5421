package io.cdcpipeline.core.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToastPlaceholderTest {

    @Test
    void toastPlaceholderFormsAreRecognised() {
        ToastPlaceholder placeholder = new ToastPlaceholder("__debezium_unavailable_value");
        assertThat(placeholder.matches("__debezium_unavailable_value")).isTrue();
        assertThat(placeholder.matches("__debezium_unavailable_value".getBytes())).isTrue();
        assertThat(placeholder.matches(List.of("__debezium_unavailable_value"))).isTrue();
        List<Integer> asNumbers = new ArrayList<>();
        for (byte b : "__debezium_unavailable_value".getBytes()) {
            asNumbers.add((int) b);
        }
        assertThat(placeholder.matches(asNumbers)).isTrue();
        assertThat(placeholder.matches(Map.of("__debezium_unavailable_value", "__debezium_unavailable_value"))).isTrue();
        assertThat(placeholder.matches("a real value")).isFalse();
        assertThat(placeholder.matches(List.of(1, 2, 3))).isFalse();
        assertThat(placeholder.matches(null)).isFalse();
    }
}
