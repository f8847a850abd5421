package io.cdcpipeline.testkit;

import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Hands integration tests the stack's endpoints and per-test resources. The stack is looked up (or started) once
 * per test JVM and shared by every test class; per-test databases and indices live in the store of the test that
 * asked for them, which closes (drops) them when that test ends.
 */
public final class RealStackExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealStackExtension.class);
    private static final Set<Class<?>> RESOLVED = Set.of(StackEndpoints.class, PostgresTestDatabase.class,
            ClickHouseTestDatabase.class, ElasticsearchTestIndex.class, ClickHouseTestCluster.class, ElasticsearchTestCluster.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        endpoints(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return RESOLVED.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        StackEndpoints stack = endpoints(context);
        if (type == StackEndpoints.class) {
            return stack;
        }
        AutoCloseable resource;
        if (type == PostgresTestDatabase.class) {
            resource = PostgresTestDatabase.create(stack);
        } else if (type == ClickHouseTestDatabase.class) {
            resource = ClickHouseTestDatabase.create(stack);
        } else if (type == ClickHouseTestCluster.class) {
            resource = ClickHouseTestCluster.create();
        } else if (type == ElasticsearchTestCluster.class) {
            resource = ElasticsearchTestCluster.create();
        } else if (type == ElasticsearchTestIndex.class) {
            resource = ElasticsearchTestIndex.create(stack);
        } else {
            throw new ParameterResolutionException("RealStackExtension cannot supply a " + type.getName());
        }
        // Closed by JUnit when the owning test (or class, for constructor parameters) ends.
        context.getStore(NAMESPACE).put(resource.toString(), resource);
        return resource;
    }

    private static StackEndpoints endpoints(ExtensionContext context) {
        boolean needKafka = context.getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, RealStack.class))
                .map(RealStack::kafka)
                .orElse(false);
        ExtensionContext.Store jvmWide = context.getRoot().getStore(NAMESPACE);
        String key = needKafka ? "stack-with-kafka" : "stack";
        StackEndpoints stack = jvmWide.getOrComputeIfAbsent(key, k -> StackLauncher.obtain(needKafka),
                StackEndpoints.class);
        StackDiagnostics.watch(stack);
        return stack;
    }
}
