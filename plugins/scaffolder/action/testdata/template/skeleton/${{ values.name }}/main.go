package main

// ${{ values.name | replace("-", "") }} is generated.
func main() {}
