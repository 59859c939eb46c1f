package io.civitas.controller.policy;

import java.util.List;

/** Request bodies of {@code /api/v1/policies}, as clients send them; {@link PolicyInput} checks them. */
final class PolicyRequests {

    private PolicyRequests() {}

    record FileBody(String path, String text) {}

    /** {@code POST /policies}, {@code /validate}, {@code /dry-run}. */
    record PolicyBody(String name, List<FileBody> files) {}

    record TestFileBody(String file, String text) {}

    /** {@code POST /policies/test}. */
    record TestBody(String name, List<FileBody> files, List<TestFileBody> tests) {}
}
