// Does nothing: its run time is what starting a process that loads these
// libraries costs (see CMakeLists.txt).
int main() { return 0; }
