"""What the web console's management API does on top of the domain: console sessions and access checks, and the
console's views of data, environments, mail and activity."""
