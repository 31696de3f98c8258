package io.berth.server.api.admin;

import jakarta.enterprise.context.RequestScoped;

/** The administrator an admin API request was authenticated as, for the records that say who asked. */
@RequestScoped
public class AdminCaller {

    private String name = "unknown";

    void set(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }
}
