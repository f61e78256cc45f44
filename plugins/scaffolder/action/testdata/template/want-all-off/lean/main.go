package main

// lean is generated.
func main() {}
