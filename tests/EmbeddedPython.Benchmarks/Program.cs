System.Console.WriteLine("benchmarks under construction");
