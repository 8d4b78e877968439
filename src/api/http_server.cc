// Placeholder: the HTTP server (being written).
