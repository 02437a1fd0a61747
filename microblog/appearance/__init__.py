"""How the site looks to each reader: the colour theme picker."""
