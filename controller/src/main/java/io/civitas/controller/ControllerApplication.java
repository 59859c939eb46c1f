package io.civitas.controller;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** The Civitas controller: REST northbound, ZooKeeper state, agent router, reconciler. */
@SpringBootApplication
@EnableConfigurationProperties({CivitasProperties.class, io.civitas.controller.overlay.OverlaySettings.class})
public class ControllerApplication {

    public static void main(String[] args) {
        String[] springArgs;
        try {
            springArgs = CommandLine.toSpringArgs(args);
        } catch (CommandLine.HelpRequested help) {
            System.out.println(CommandLine.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            // A user error: say what is wrong and how to call us, no stack trace.
            System.err.println("civitas controller: " + e.getMessage());
            System.err.println(CommandLine.USAGE);
            System.exit(2);
            return;
        }
        try {
            SpringApplication.run(ControllerApplication.class, springArgs);
        } catch (RuntimeException e) {
            // Spring Boot has already reported why (a failure analysis for known causes); exit quietly.
            System.exit(1);
        }
    }
}
