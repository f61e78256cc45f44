package main

// paysvc is generated.
func main() {}
