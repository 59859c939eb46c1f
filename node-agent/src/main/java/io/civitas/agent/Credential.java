package io.civitas.agent;

/** What enrollment gave this node: WAMP ticket authentication with authid = nodeId, ticket = secret. */
record Credential(String nodeId, String secret, String realm) {
    /** Keeps the secret out of logs. */
    @Override
    public String toString() {
        return "Credential[nodeId=" + nodeId + ", realm=" + realm + ", secret=***]";
    }
}
