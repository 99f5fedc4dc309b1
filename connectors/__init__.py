"""Channel connectors: each turns its protocol into an InboundMessage and stores it durably."""
